"""Command line: a thin shell over :mod:`cleaner.api` and :mod:`cleaner.run`.

``clean IN OUT`` is the everyday command; ``cleaner`` groups it with the model commands
(``train``, ``eval``, ``explain``). Exit status: 0 when every file was cleaned (or its output
was already there), 1 when some could not be, 2 for a command line that cannot run.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import click

from cleaner.api import Cleaner, Config
from cleaner.decode import BinaryInputError
from cleaner.files import Plan, UsageError, plan
from cleaner.files import shard as shard_plan
from cleaner.formats import JSONL, TEXT
from cleaner.model import ModelError
from cleaner.run import (
    FAILED,
    LOCAL,
    RAY,
    SEGMENT_BYTES,
    AtomicOutput,
    FileResult,
    RunAborted,
    RunSettings,
    clean_stream,
    run_jobs,
)

_THRESHOLD = click.option(
    "--threshold", type=click.FloatRange(0.0, 1.0), default=None,
    help="Keep a line when P(keep) >= this. Default: the model's own (see trained/model.json).",
)  # fmt: skip
_MODEL = click.option(
    "--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="A model file of your own (from `cleaner train`). Loading it runs code from it: only trusted files.",
)  # fmt: skip


_LINES_APART = click.option(
    "--lines-apart", is_flag=True,
    help="Read every line alone: do not join a sentence that a renderer broke around its links "
    "(one text node per line, as BeautifulSoup's get_text writes) into one unit.",
)  # fmt: skip


def _cleaner(
    threshold: float | None, model_path: Path | None, normalize: bool = False, lines_apart: bool = False
) -> Cleaner:
    config = Config(
        threshold=threshold, normalize=normalize, model_path=model_path, join_broken=not lines_apart
    )
    try:
        return Cleaner(config)
    except ModelError as exc:
        raise click.UsageError(str(exc)) from exc


def _run(plan: Plan, settings: RunSettings, quiet: bool) -> int:
    """Run the plan with a progress bar (on a terminal); one line per failure; the exit status."""
    from tqdm import tqdm

    total = len(plan) + len(plan.skipped)
    show = not quiet and total > 1 and sys.stderr.isatty()
    with tqdm(total=total, unit="file", disable=not show, file=sys.stderr) as bar:

        def report(result: FileResult) -> None:
            bar.update(1)
            if result.status == FAILED:
                bar.write(f"clean: error: {result.line}", file=sys.stderr)
            for line in result.bad_lines:
                bar.write(f"clean: error: {line}", file=sys.stderr)
            if result.bad_records > len(result.bad_lines):
                more = result.bad_records - len(result.bad_lines)
                line = f"{result.path}: {more} more bad records passed through"
                bar.write(f"clean: error: {line}", file=sys.stderr)

        try:
            summary = run_jobs(plan, settings, on_result=report)
        except RunAborted as exc:
            bar.write(f"clean: error: {exc}", file=sys.stderr)
            return 1
    if not quiet or summary.failed or summary.bad_records:
        click.echo(f"clean: {summary.describe()}", err=True)
    return summary.exit_code


def _clean_stdin(cleaner: Cleaner, dst: Path, settings: RunSettings, quiet: bool) -> int:
    """``clean - OUT`` and ``clean - -``. Plain text is cleaned as it arrives, in segments like a
    large file; JSONL (``--format jsonl``), ``--report``, ``--removed`` and ``--dedup`` need the
    run engine, so standard input is first copied to a temporary file (then also counted)."""
    from threadpoolctl import threadpool_limits

    if str(dst) != "-" and dst.exists() and not settings.overwrite:
        click.echo(f"clean: {dst} already there (kept; --overwrite to redo)", err=True)
        return 0
    if settings.kind == JSONL or settings.explaining or settings.dedup:
        return _clean_stdin_file(dst, settings, quiet)
    try:
        with threadpool_limits(limits=1):  # one thread, as in a run (see cleaner.run)
            pieces = clean_stream(sys.stdin.buffer, cleaner, settings.segment_bytes)
            if str(dst) == "-":
                for piece in pieces:
                    sys.stdout.buffer.write(piece.encode("utf-8"))
                return 0
            with AtomicOutput(dst) as out:
                for piece in pieces:
                    out.write(piece)
                out.commit(overwrite=True)
    except (BinaryInputError, OSError) as exc:
        message = str(exc) if isinstance(exc, BinaryInputError) else exc.strerror or str(exc)
        click.echo(f"clean: error: standard input: {message}", err=True)
        return 1
    return 0


def _clean_stdin_file(dst: Path, settings: RunSettings, quiet: bool) -> int:
    import shutil
    import tempfile

    kind = settings.kind or TEXT
    with tempfile.TemporaryDirectory(prefix="cleaner-stdin-") as folder:
        src = Path(folder) / f"stdin.{'jsonl' if kind == JSONL else 'txt'}"
        with src.open("wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy)
        out = Path(folder) / "out" / src.name if str(dst) == "-" else dst
        return _run_one(Plan(src, out, [""], label="-"), replace(settings, kind=kind), str(dst) == "-")


def _run_one(one: Plan, settings: RunSettings, to_stdout: bool) -> int:
    """Clean the one file of ``one`` (its output replaced, progress not shown); with
    ``to_stdout``, copy the output (in a temporary folder) to standard output."""
    import shutil

    status = _run(one, replace(settings, overwrite=True), quiet=True)
    if to_stdout and one.dst.exists():
        with one.dst.open("rb") as cleaned:
            shutil.copyfileobj(cleaned, sys.stdout.buffer)
    return status


def _clean_to_stdout(src: Path, settings: RunSettings) -> int:
    """``clean FILE -``: FILE is cleaned as a run of one file (its format told by its name, as
    always) into a temporary folder, then copied to standard output. A folder has many outputs
    and no single stream to write them to, so it is a usage error."""
    import tempfile

    if src.is_dir():
        raise click.UsageError(f"{src}: a folder cannot be cleaned to standard output; give an output folder")
    with tempfile.TemporaryDirectory(prefix="cleaner-stdout-") as folder:
        try:
            one = plan(src, Path(folder) / src.name)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from exc
        return _run_one(one, settings, to_stdout=True)


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter("expected i/N, e.g. 0/8 (shards are numbered 0 to N-1)") from None
    if count < 1 or not 0 <= index < count:
        raise click.BadParameter(f"{value}: shards are numbered 0 to N-1, with N at least 1")
    return index, count


@click.command("clean")
@click.argument("src", type=click.Path(path_type=Path, allow_dash=True))
@click.argument("dst", type=click.Path(path_type=Path, allow_dash=True))
@_THRESHOLD
@click.option("--normalize", is_flag=True, help="Full ftfy normalisation: NFC, straight quotes, half-width.")
@_MODEL
@_LINES_APART
@click.option("--overwrite", is_flag=True, help="Replace outputs that already exist (default: keep them).")
@click.option(
    "--format", "kind", type=click.Choice(["auto", TEXT, JSONL]), default="auto", show_default=True,
    help="Input format. auto: JSONL for *.jsonl/*.ndjson (also .gz, .zst), text otherwise and for -.",
)  # fmt: skip
@click.option(
    "--text-field", default="text", show_default=True,
    help="The JSONL field holding the text to clean; other fields are written back unchanged.",
)  # fmt: skip
@click.option(
    "--batch-counts/--no-batch-counts", default=False, show_default=True,
    help="First count how many documents of the run each line occurs in, and clean with that "
    "(runs of more than one document; helps sites with many pages; see docs/pipelines.md).",
)  # fmt: skip
@click.option(
    "--dedup", is_flag=True,
    help="Drop paragraphs (lines of 8+ words) already written earlier in the run, in input order.",
)  # fmt: skip
@click.option(
    "--removed", "removed", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
    help="Write the removed lines of each input to DIR/<its relative path>.tsv, with scores and reasons.",
)  # fmt: skip
@click.option(
    "--report", "report", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write one JSON line per document: lines kept and dropped, counts by reason.",
)  # fmt: skip
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
    help="Clean this many files at a time, in worker processes.",
)  # fmt: skip
@click.option(
    "--backend", type=click.Choice([LOCAL, RAY]), default=LOCAL, show_default=True,
    help="local: this machine (-j workers); ray: the tasks run on a Ray cluster (--address).",
)  # fmt: skip
@click.option(
    "--address", default=None,
    help="The Ray cluster to join (e.g. ray://head:10001 or auto); default: RAY_ADDRESS, else a local Ray.",
)  # fmt: skip
@click.option(
    "--shard", callback=_shard, default=None, metavar="I/N",
    help="Clean only shard I (0 to N-1) of N, split by a hash of each file's path (job arrays).",
)  # fmt: skip
@click.option(
    "--segment-mb", type=click.FloatRange(min=0.001), default=SEGMENT_BYTES / 2**20, show_default=True,
    help="Clean files larger than this in segments of about this size, split at blank lines; "
    "a smaller size uses less memory.",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary; errors are still printed.")
def clean_command(
    src: Path, dst: Path, threshold: float | None, normalize: bool, model_path: Path | None,
    lines_apart: bool, overwrite: bool, kind: str, text_field: str, batch_counts: bool, dedup: bool,
    removed: Path | None, report: Path | None, jobs: int, backend: str, address: str | None,
    shard: tuple[int, int] | None, segment_mb: float, quiet: bool,
) -> None:  # fmt: skip
    """Clean SRC into DST: a folder into a folder (same relative paths), a file into a file,
    or - for standard input / output. Text and JSONL, gzip/zstd compressed by extension; each
    output has its input's format. Existing outputs are kept, so running the same command
    again after an interruption finishes what is missing.

    Exit status: 0 when every file was cleaned (or its output was already there), 1 when some
    could not be, or some JSONL records were not valid (each is named on standard error and
    written through unchanged, with a summary at the end), 2 when the command line cannot run."""
    # a bad model is a usage error, before any work
    cleaner = _cleaner(threshold, model_path, normalize, lines_apart)
    settings = RunSettings(
        cleaner.config, overwrite=overwrite, jobs=jobs, segment_bytes=int(segment_mb * 2**20),
        kind=None if kind == "auto" else kind, text_field=text_field, batch_counts=batch_counts,
        removed=None if removed is None else str(removed), report=None if report is None else str(report),
        dedup=dedup, backend=backend, address=address,
    )  # fmt: skip
    if str(src) == "-":
        sys.exit(_clean_stdin(cleaner, dst, settings, quiet))
    if str(dst) == "-":
        sys.exit(_clean_to_stdout(src, settings))
    try:
        planned = plan(src, dst)
        if shard is not None:
            planned = shard_plan(planned, *shard)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    sys.exit(_run(planned, settings, quiet))


@click.group()
@click.version_option(package_name="cleaner")
def main() -> None:
    """cleaner: strip boilerplate from scraped text, line by line."""


main.add_command(clean_command)


@main.command()
@click.argument("corpus", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("trained"), show_default=True
)
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
def train(corpus: Path, out: Path, threshold: float) -> None:
    """Train on CORPUS/train, score on CORPUS/heldout, write OUT/model.joblib and its card."""
    from cleaner.model import save_model
    from cleaner.train import train_corpus

    model, card = train_corpus(corpus, threshold)
    card = save_model(model, out, card)
    click.echo(json.dumps({k: card[k] for k in ("corpus_sha256", "train", "heldout") if k in card}, indent=2))


@main.command("eval")
@click.argument("labeled", type=click.Path(exists=True, path_type=Path))
@_THRESHOLD
@_MODEL
def eval_command(labeled: Path, threshold: float | None, model_path: Path | None) -> None:
    """Line precision/recall/F1 for keep and drop on LABELED (.tsv corpus files or a folder)."""
    from cleaner.corpus import load_docs
    from cleaner.train import evaluate

    scores = evaluate(_cleaner(threshold, model_path), load_docs(labeled))
    click.echo(f"{scores.docs} documents, {scores.lines} labeled lines")
    click.echo(f"{'':6}{'precision':>10}{'recall':>10}{'F1':>10}")
    for name, prf in (("keep", scores.keep), ("drop", scores.drop)):
        click.echo(f"{name:6}" + "".join(f"{x:10.3f}" for x in prf))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@_THRESHOLD
@_MODEL
@_LINES_APART
def explain(file: Path, threshold: float | None, model_path: Path | None, lines_apart: bool) -> None:
    """Every line of FILE with its decision, P(keep) and reason; a line dropped by a pass after
    the first (cleaning the output again) says which."""
    from cleaner.decode import decode

    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    cleaner = _cleaner(threshold, model_path, lines_apart=lines_apart)
    try:
        text = decode(data).text
    except BinaryInputError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    for d in cleaner.explain(text):
        if not d.text:
            click.echo(f"{d.index + 1:5}        {'':5} {'blank':<12}|")
            continue
        p = "  -  " if math.isnan(d.p_keep) else f"{d.p_keep:.3f}"
        note = f"  [trimmed {d.trimmed.strip()!r}]" if d.trimmed else ""
        if not d.keep and d.scored_in > 1:
            note += f"  [dropped in pass {d.scored_in}]"
        click.echo(f"{d.index + 1:5} {'KEEP' if d.keep else 'drop':<6} {p} {d.reason:<12}| {d.text}{note}")


if __name__ == "__main__":
    main()
