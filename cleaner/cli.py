"""Command line: a thin shell over :mod:`cleaner.api`.

``clean IN OUT`` is the everyday command; ``cleaner`` groups it with the model commands
(``train``, ``eval``, ``explain``). Exit status: 0 when every file was cleaned (or its output
was already there), 1 when some could not be, 2 for a command line that cannot run.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from cleaner.api import Cleaner, Config
from cleaner.decode import BinaryInputError
from cleaner.files import UsageError, plan
from cleaner.model import ModelError
from cleaner.write import write_atomic

_THRESHOLD = click.option(
    "--threshold", type=click.FloatRange(0.0, 1.0), default=None,
    help="Keep a line when P(keep) >= this. Default: the model's own (see trained/model.json).",
)  # fmt: skip
_MODEL = click.option(
    "--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="A model file of your own (from `cleaner train`). Loading it runs code from it: only trusted files.",
)  # fmt: skip


def _cleaner(threshold: float | None, model_path: Path | None, normalize: bool = False) -> Cleaner:
    try:
        return Cleaner(Config(threshold=threshold, normalize=normalize, model_path=model_path))
    except ModelError as exc:
        raise click.UsageError(str(exc)) from exc


def _run(cleaner: Cleaner, src: Path, dst: Path, overwrite: bool, quiet: bool) -> int:
    """Clean every planned file; one line per failure on stderr; returns the exit status."""
    try:
        jobs = plan(src, dst)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from exc
    from tqdm import tqdm

    done = skipped = 0
    failed: list[str] = []
    bar = tqdm(jobs, unit="file", disable=quiet or len(jobs) < 2 or not sys.stderr.isatty(), file=sys.stderr)
    for job in bar:
        if job.dst.exists() and not overwrite:
            skipped += 1
            continue
        try:
            cleaner.clean_file(job.src, job.dst)
            done += 1
        except (OSError, BinaryInputError, ValueError) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            failed.append(f"{job.src}: {message}")
            bar.write(f"clean: error: {job.src}: {message}", file=sys.stderr)
    if not quiet or failed:
        kept = f"{skipped} already there (kept; --overwrite to redo)"
        click.echo(f"clean: {done} cleaned, {kept}, {len(failed)} failed", err=True)
    return 1 if failed else 0


@click.command("clean")
@click.argument("src", type=click.Path(path_type=Path, allow_dash=True))
@click.argument("dst", type=click.Path(path_type=Path, allow_dash=True))
@_THRESHOLD
@click.option("--normalize", is_flag=True, help="Full ftfy normalisation: NFC, straight quotes, half-width.")
@_MODEL
@click.option("--overwrite", is_flag=True, help="Replace outputs that already exist (default: keep them).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary; errors are still printed.")
def clean_command(
    src: Path, dst: Path, threshold: float | None, normalize: bool, model_path: Path | None,
    overwrite: bool, quiet: bool,
) -> None:  # fmt: skip
    """Clean SRC into DST: a folder into a folder (same relative paths), a file into a file,
    or - for standard input / output."""
    cleaner = _cleaner(threshold, model_path, normalize)
    if str(src) == "-":
        text = cleaner.clean_bytes(sys.stdin.buffer.read())
        if str(dst) == "-":
            sys.stdout.buffer.write(text.encode("utf-8"))
        else:
            write_atomic(dst, text)
        return
    sys.exit(_run(cleaner, src, dst, overwrite, quiet))


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
def explain(file: Path, threshold: float | None, model_path: Path | None) -> None:
    """Every line of FILE with its decision, P(keep) and reason."""
    from cleaner.decode import decode

    data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    cleaner = _cleaner(threshold, model_path)
    for d in cleaner.explain(decode(data).text):
        if not d.text:
            click.echo(f"{d.index + 1:5}        {'':5} {'blank':<12}|")
            continue
        p = "  -  " if math.isnan(d.p_keep) else f"{d.p_keep:.3f}"
        note = f"  [trimmed {d.trimmed.strip()!r}]" if d.trimmed else ""
        click.echo(f"{d.index + 1:5} {'KEEP' if d.keep else 'drop':<6} {p} {d.reason:<12}| {d.text}{note}")
