"""The run engine: clean every file of a plan, in parallel, atomically, resumably.

:func:`run_jobs` is what ``clean IN OUT`` does; the command line only parses options and
prints. The guarantees, for unattended runs over millions of files:

* **A bad file never stops a run.** Every failure (binary, unreadable, vanished, a broken
  symbolic link, even a bug in the cleaner) becomes a :class:`FileResult` with a one-line
  error naming the file, and the run goes on; so does a bad JSONL record, written through
  unchanged. The exit status is 0 when every file was cleaned or its output was already
  there, 1 otherwise or when a JSONL record was bad (see :class:`Summary`).
* **Nothing is lost.** Inputs are only ever opened for reading. An output appears under its
  name complete or not at all (:class:`AtomicOutput`), so a killed run leaves no partial file;
  existing outputs are kept unless ``overwrite``, so running the same command again finishes
  only what is missing.
* **Two passes, when asked.** With ``batch_counts`` (``--batch-counts``), a run of more than
  one document (several files, or a JSONL file) first counts in how many documents each line
  occurs (:func:`count_run`: each worker counts a share of the files into a
  :class:`~cleaner.crossdoc.LineCounts` sketch, and the sketches are added up), then cleans with
  those counts, so that page furniture repeated across a site is recognised. Every file is
  counted, including those whose outputs are already there, so a resumed run cleans with the
  same counts. It is off by default: on 697 real pages from 683 sites it changed nothing
  measurable (token F1 0.9216 alone, 0.9205 with counts), it costs a first pass, and a second
  run over the outputs counts other documents, so cleaning the outputs again is no longer
  guaranteed to change nothing (the fuzz run saw 32 of 1,350 outputs change). Turn it on for
  runs with many pages per site.
* **Parallel, same bytes.** With ``jobs > 1`` files are cleaned by joblib's loky workers, with
  ``backend="ray"`` by Ray tasks (:mod:`cleaner.ray_backend`). Each worker builds its
  :class:`~cleaner.api.Cleaner` once (:func:`_cleaner`, cached per process by
  :class:`~cleaner.api.Config`) and gets tasks of up to :data:`CHUNK_FILES` files or
  :data:`CHUNK_BYTES` bytes, whose texts go through one ``clean_many`` call. Tasks are made
  the same way for any ``jobs`` and backend, and results come back in plan order (an output
  already there is a result inside its task), so the output is byte-identical to ``jobs=1``,
  and ``--dedup`` (:mod:`cleaner.dedup`), applied by this process to each result as it comes,
  sees documents in input order. Every process uses one BLAS/OpenMP thread: parallelism is
  across files, and library threads on small batches only oversubscribe the cores.
* **Any format.** Text and JSONL, gzip/zstd compressed (:mod:`cleaner.formats`); each output is
  written in its input's format. What was removed can be written too (:mod:`cleaner.report`).
* **Memory flat in input size.** A plan is a list of relative paths; at most a few tasks are in
  flight. A file larger than ``segment_bytes`` (default :data:`SEGMENT_BYTES`, 1 MB) is never
  held whole: it is read and decoded in segments, split at the last blank line before the segment
  size (else at the last line break; a single line longer than a segment is one segment), each
  segment is cleaned as a document of its own through ``clean_many``, and the outputs are
  written to the temporary file as they come, a blank line between segments that were split
  at a blank line. The encoding of such a file is decided from its first segment (byte-order
  mark, strict UTF-8, else charset-normalizer; see :func:`cleaner.decode.sniff`), and the rest
  is decoded incrementally with ``errors="replace"``: a bad byte late in a file becomes U+FFFD
  instead of failing the file. (A file up to the segment size is decoded whole, and a bad byte
  anywhere makes charset-normalizer choose among all encodings.) Segment size is counted in
  characters of decoded text, equal to bytes for ASCII. The one exception to flat memory is a
  single line longer than a segment: it is one output line, so it is held whole (a 100 MB line
  peaks at about 550 MB; ``benchmarks/fuzz.py --huge``). A JSONL record is read whole (its
  text, if larger than a segment, is cleaned in segments), and ``--dedup`` holds an 8-byte
  digest per distinct paragraph of the run.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from cleaner.api import Cleaner, Config
from cleaner.crossdoc import LineCounts
from cleaner.decode import BinaryInputError
from cleaner.dedup import Deduper
from cleaner.documents import (
    FileOutcome,
    Sink,
    Worker,
    clean_jsonl,
    clean_text,
    clean_texts,
    cleaned_segments,
    documents,
    text_outcome,
    text_pieces,
)
from cleaner.files import Job, Plan
from cleaner.formats import JSONL, Format, compressed, decompressed, decompression_error, infer_format
from cleaner.report import CLEANED, FAILED, KEPT, DocReport, Explained, dump_row
from cleaner.segment import READ_BYTES, decoded_pieces, segments

__all__ = [
    "CLEANED", "FAILED", "KEPT", "SEGMENT_BYTES", "AtomicOutput", "FileResult", "RunAborted",
    "RunSettings", "Summary", "clean_stream", "count_run", "iter_results", "run_jobs", "segments",
]  # fmt: skip

#: Files larger than this are cleaned in segments of about this many characters. The cleaner's
#: memory grows with the size of a document (measured on 20 MB of corpus lines: peak RSS 300 MB
#: with 0.5 MB segments, 390 MB with 1 MB, 610 MB with 2 MB, 1.7 GB with 8 MB), and a megabyte is
#: some 20,000 lines, far more context than any real page needs.
SEGMENT_BYTES = 1 << 20
#: A task for a worker holds at most this many files ... Its files are one batch of the model
#: (:mod:`cleaner.api`), and per-batch costs (a call per tree, per pass) are paid once for all
#: of them: on 10 MB of corpus pages, 128 files a task cleaned 14% faster than 32 (7.7 s
#: against 9.0 s, median of four runs), and 256 no faster than 128.
CHUNK_FILES = 128
#: ... or this many bytes of input (a larger file is a task of its own).
CHUNK_BYTES = 4 << 20
#: Errors kept in the summary (every error is also reported as it happens).
FIRST_ERRORS = 5
#: Backends: this machine (serial, or joblib's loky workers with -j), or a Ray cluster.
LOCAL, RAY = "local", "ray"


@dataclass(frozen=True)
class RunSettings:
    """How to run; picklable, as it is shipped to the workers with every task."""

    config: Config = field(default_factory=Config)
    overwrite: bool = False
    jobs: int = 1
    segment_bytes: int = SEGMENT_BYTES
    kind: str | None = None  # "text" or "jsonl" for every file; None: from each file's name
    text_field: str = "text"  # the JSONL field holding the document
    batch_counts: bool = False  # count lines across the run's documents first (runs of 2+ documents)
    removed: str | None = None  # folder for the removed lines of each file (cleaner.report)
    report: str | None = None  # JSONL file with one row per document (cleaner.report)
    dedup: bool = False  # drop paragraphs written earlier in the run (cleaner.dedup)
    backend: str = LOCAL
    address: str | None = None  # the Ray cluster to join (None: RAY_ADDRESS, else a local one)

    @property
    def explaining(self) -> bool:
        return self.removed is not None or self.report is not None

    def format_of(self, path: os.PathLike[str] | str) -> Format:
        return infer_format(os.fspath(path), self.kind, self.text_field)


@dataclass(frozen=True)
class FileResult:
    """What happened to one input: cleaned, kept (its output was already there) or failed."""

    path: str
    status: str
    error: str = ""
    dst: str = ""
    documents: tuple[DocReport, ...] = ()  # when explaining: one per document, in order
    bad_records: int = 0  # JSONL records passed through unchanged
    bad_lines: tuple[str, ...] = ()  # the first few of them, one line each
    dedup_dropped: tuple[int, ...] = ()  # with --dedup: repeats dropped, per document

    @property
    def line(self) -> str:
        """The one-line report of a failure: the file, then why."""
        return _one_line(f"{self.path}: {self.error}")


@dataclass(frozen=True)
class Summary:
    """The outcome of a run: counts, and the first errors for the closing report."""

    cleaned: int = 0
    kept: int = 0
    failed: int = 0
    first_errors: tuple[str, ...] = ()
    bad_records: int = 0
    dedup_dropped: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.bad_records else 0

    def describe(self) -> str:
        kept = f"{self.kept} already there (kept; --overwrite to redo)"
        text = f"{self.cleaned} cleaned, {kept}, {self.failed} failed"
        if self.bad_records:
            text += f", {self.bad_records} bad JSONL records passed through unchanged"
        if self.dedup_dropped:
            text += f", {self.dedup_dropped} repeated paragraphs dropped"
        if self.failed:
            more = f" (first {len(self.first_errors)})" if self.failed > len(self.first_errors) else ""
            text += f"; errors{more}:\n" + "\n".join(f"  {line}" for line in self.first_errors)
        return text


def summarize(results: Iterable[FileResult]) -> Summary:
    """Count results; keep the first :data:`FIRST_ERRORS` error lines."""
    counts: Counter[str] = Counter()
    errors: list[str] = []
    for result in results:
        counts[result.status] += 1
        counts["bad"] += result.bad_records
        counts["dedup"] += sum(result.dedup_dropped)
        if result.status == FAILED and len(errors) < FIRST_ERRORS:
            errors.append(result.line)
    return Summary(
        counts[CLEANED], counts[KEPT], counts[FAILED], tuple(errors), counts["bad"], counts["dedup"]
    )


class RunAborted(RuntimeError):
    """A worker process died (killed, or out of memory); completed outputs are intact."""


def run_jobs(
    plan: Plan, settings: RunSettings, on_result: Callable[[FileResult], None] | None = None
) -> Summary:
    """Clean every file of ``plan``; ``on_result`` sees each result as it comes (progress, errors).

    With ``settings.batch_counts`` and more than one document, a first pass counts lines over the
    whole plan (:func:`count_run`), including files whose outputs are already there, so that a
    run that is resumed cleans with the same counts. With ``settings.report`` the report is
    written once the run is complete; with ``settings.dedup`` each output goes through the
    :class:`~cleaner.dedup.Deduper` as its result arrives, in plan order."""
    counts = count_run(plan, settings) if wants_counts(plan, settings) else None
    deduper = Deduper() if settings.dedup else None
    with ExitStack() as stack:
        report = stack.enter_context(AtomicOutput(settings.report)) if settings.report else None

        def observed() -> Iterator[FileResult]:
            for result in iter_results(plan, settings, counts):
                if deduper is not None:
                    result = _dedup(result, deduper, settings)
                if report is not None:
                    _report(report, result)
                if on_result is not None:
                    on_result(result)
                yield result

        summary = summarize(observed())
        if report is not None:
            report.commit(overwrite=True)
    return summary


def wants_counts(plan: Plan, settings: RunSettings) -> bool:
    """Batch counts are worth a first pass when the plan holds more than one document."""
    if not settings.batch_counts or not plan.files:
        return False
    return len(plan) > 1 or settings.format_of(next(iter(plan)).src).kind == JSONL


def iter_results(plan: Plan, settings: RunSettings, counts: LineCounts | None = None) -> Iterator[FileResult]:
    """The result of every planned file (and of every path the plan could not clean), lazily
    and in plan order."""
    for skipped in plan.skipped:
        yield FileResult(str(skipped.path), FAILED, skipped.reason)
    tasks = ((chunk, settings) for chunk in _tasks(plan, settings))
    for results in _map(settings, _clean_chunk, tasks, counts):
        yield from results


# --- the first pass: counts ---------------------------------------------------------------------


def count_run(plan: Plan, settings: RunSettings) -> LineCounts:
    """In how many documents of the plan each line occurs. Each worker counts a share of the
    files (every n-th) into a sketch of its own; the sketches are added up as they come back,
    so memory holds a few sketches whatever the size of the run. Unreadable files are skipped
    here (the second pass reports them)."""
    shares = max(1, settings.jobs) if settings.backend == LOCAL else _ray_cpus(settings)
    tasks = ((replace(plan, files=plan.files[k::shares], skipped=[]), settings) for k in range(shares))
    total = LineCounts()
    for table, n in _map(settings, _count_share, tasks, None):
        total = total.merge(LineCounts(table, n))
    return total


def _count_share(plan: Plan, settings: RunSettings, _shared: object = None) -> tuple[np.ndarray, int]:
    counts = LineCounts()
    for job in plan:
        with suppress(Exception), _open_input(job.src) as handle:
            fmt = settings.format_of(job.src)
            stream = decompressed(handle, fmt)
            counts.add_texts(
                documents(stream, fmt, settings.segment_bytes),
                settings.config.normalize,
                settings.config.join_broken,
            )
    return counts.table, counts.documents


# --- backends: the same tasks, in order ---------------------------------------------------------


def _map(
    settings: RunSettings, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], counts: LineCounts | None
) -> Iterator[Any]:
    """``fn(*task, shared)`` for every task, results in task order, on the settings' backend;
    ``shared`` is how the workers find ``counts`` (see :func:`_as_counts`)."""
    if settings.backend == RAY:
        from cleaner.ray_backend import ray_map

        yield from ray_map(fn, tasks, counts, settings.address)
    elif settings.jobs <= 1:
        with _one_thread():
            for task in tasks:
                yield fn(*task, counts)
    else:
        yield from _loky_map(settings.jobs, fn, tasks, counts)


def _loky_map(
    jobs: int, fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], counts: LineCounts | None
) -> Iterator[Any]:
    """joblib's loky workers; the counts go to them as a memory-mapped file, read by all.

    The file's folder is made only when there are counts (``--batch-counts``): a killed process
    cannot remove it, and a run without counts should leave nothing in the temporary folder."""
    import tempfile

    from joblib import Parallel, delayed, parallel_config
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    with ExitStack() as stack:
        shared = None
        if counts is not None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cleaner-counts-"))
            shared = os.path.join(folder, "counts.npy")
            np.save(shared, counts.table)
        with parallel_config(backend="loky", inner_max_num_threads=1):
            parallel = Parallel(n_jobs=jobs, return_as="generator")
            try:
                yield from parallel(delayed(fn)(*task, shared) for task in tasks)
            except TerminatedWorkerError as exc:
                raise RunAborted(
                    "a worker process died (killed, or out of memory); the outputs written are complete: "
                    "run the same command again to finish"
                ) from exc


def _ray_cpus(settings: RunSettings) -> int:
    from cleaner.ray_backend import cluster_cpus

    return cluster_cpus(settings.address)


def _as_counts(shared: object) -> LineCounts | None:
    """The counts as a task received them: the object (serial), a file to map (loky workers) or
    the table itself (Ray, from its object store)."""
    if shared is None or isinstance(shared, LineCounts):
        return shared
    if isinstance(shared, str):
        return _mapped_counts(shared)
    assert isinstance(shared, np.ndarray)
    return LineCounts(shared)


@lru_cache(maxsize=1)
def _mapped_counts(path: str) -> LineCounts:
    return LineCounts(np.load(path, mmap_mode="r"))


# --- the second pass: cleaning ------------------------------------------------------------------


def _tasks(plan: Plan, settings: RunSettings) -> Iterator[list[Job | FileResult]]:
    """Tasks of files to clean, in plan order; a kept result stands in a task for each output
    already there, so that results come back in plan order."""
    chunk: list[Job | FileResult] = []
    size = 0
    for job in plan:
        item: Job | FileResult = job
        n = 0
        if not settings.overwrite and os.path.lexists(job.dst):
            item = FileResult(job.name, KEPT, dst=str(job.dst))
        else:
            with suppress(OSError):  # the worker reports why
                n = os.stat(job.src).st_size
        if chunk and (len(chunk) >= CHUNK_FILES or size + n > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += n
    if chunk:
        yield chunk


@lru_cache(maxsize=2)
def _cleaner(config: Config) -> Cleaner:
    """One Cleaner (one loaded model) per process and config, reused for every task."""
    return Cleaner(config)


def _clean_chunk(
    items: list[Job | FileResult], settings: RunSettings, shared: object = None
) -> list[FileResult]:
    """Clean a task's files: small text files read whole and cleaned in one batch, large ones in
    segments, JSONL files record by record (batched too)."""
    try:
        worker = Worker(_cleaner(settings.config), _as_counts(shared), settings.explaining)
    except Exception as exc:  # e.g. the model file was changed during the run
        error = _one_line(f"cannot load the model: {exc}")
        return [FileResult(i.name, FAILED, error) if isinstance(i, Job) else i for i in items]
    return _clean_items(worker, items, settings)


def _clean_items(worker: Worker, items: list[Job | FileResult], settings: RunSettings) -> list[FileResult]:
    size = settings.segment_bytes
    results: list[FileResult | None] = [item if isinstance(item, FileResult) else None for item in items]
    small: list[tuple[int, str, Format]] = []
    for i, item in enumerate(items):
        if isinstance(item, FileResult):
            continue
        job = item
        try:
            fmt = settings.format_of(job.src)
            with _open_input(job.src) as handle:
                stream = decompressed(handle, fmt)
                if fmt.kind == JSONL:
                    fill = partial(clean_jsonl, worker, stream, fmt, size=size, name=job.name)
                    results[i] = _write(job, settings, fmt, fill)
                    continue
                whole, pieces = text_pieces(stream, size)
                if pieces is not None:
                    results[i] = _write(job, settings, fmt, partial(clean_text, worker, pieces, size=size))
                    continue
            assert whole is not None
            small.append((i, whole, fmt))
        except Exception as exc:
            results[i] = _failed(job, exc)
    outputs = _clean_small(worker, [text for _, text, _ in small], size)
    for (i, _, fmt), output in zip(small, outputs, strict=True):
        job = items[i]
        assert isinstance(job, Job)
        if isinstance(output, Exception):
            results[i] = _failed(job, output)
            continue
        try:
            results[i] = _write(job, settings, fmt, partial(_fill, output=output, explaining=worker.explain))
        except Exception as exc:
            results[i] = _failed(job, exc)
    return [r for r in results if r is not None]


def _fill(out: Sink, output: tuple[str, Explained], explaining: bool) -> FileOutcome:
    out.write(output[0])
    return text_outcome(output[1], explaining)


def _clean_small(worker: Worker, texts: list[str], size: int) -> list[tuple[str, Explained] | Exception]:
    """The batch in one go; if that raises, text by text, so only the culprit fails."""
    try:
        return list(clean_texts(worker, [[text] for text in texts], size))
    except Exception:
        pass
    outputs: list[tuple[str, Explained] | Exception] = []
    for text in texts:
        try:
            outputs.extend(clean_texts(worker, [[text]], size))
        except Exception as exc:
            outputs.append(exc)
    return outputs


def _write(job: Job, settings: RunSettings, fmt: Format, fill: Callable[[Sink], FileOutcome]) -> FileResult:
    """Fill the output of ``job`` (and its removed lines, first: an output is the mark of a file
    done) and put it in place."""
    with AtomicOutput(job.dst, fmt) as out:
        outcome = fill(out)
        if settings.removed is not None:
            with AtomicOutput(Path(settings.removed) / f"{job.rel or job.dst.name}.tsv") as removed:
                removed.write("".join(outcome.removed))
                removed.commit(overwrite=True)
        status = CLEANED if out.commit(settings.overwrite) else KEPT
    return FileResult(
        job.name, status, dst=str(job.dst),
        documents=tuple(outcome.documents) if status == CLEANED else (),
        bad_records=outcome.bad_records, bad_lines=tuple(_one_line(line) for line in outcome.bad_lines),
    )  # fmt: skip


def clean_stream(
    handle: BinaryIO, cleaner: Cleaner, segment_bytes: int = SEGMENT_BYTES, counts: LineCounts | None = None
) -> Iterator[str]:
    """The cleaned text of the binary stream ``handle``, in pieces, reading at most about two
    segments at a time (see the module docstring). Raises BinaryInputError for binary data."""
    pieces = decoded_pieces(handle.read(segment_bytes), handle, segment_bytes)
    for piece, _, _, _ in cleaned_segments(Worker(cleaner, counts), [pieces], segment_bytes):
        if piece:
            yield piece


class CleanFailed(RuntimeError):
    """A file could not be cleaned (the message names it and says why)."""


def clean_file(cleaner: Cleaner, src: Path, dst: Path, settings: RunSettings | None = None) -> FileResult:
    """Clean one file with ``cleaner`` as a run of that one file would (its format, batch counts
    over a JSONL file's records, atomic output; ``settings`` default: replace ``dst``). Raises
    :class:`CleanFailed`; bad JSONL records are passed through and counted in the result."""
    settings = settings or RunSettings(cleaner.config, overwrite=True)
    one = Plan(src, dst, [""])
    counts = count_run(one, settings) if wants_counts(one, settings) else None
    with _one_thread():
        [result] = _clean_items(Worker(cleaner, counts, settings.explaining), [Job(src, dst)], settings)
    if result.status == FAILED:
        raise CleanFailed(result.line)
    return result


@contextmanager
def _one_thread() -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


# --- dedup and the report (in the parent, in plan order) ------------------------------------------


def _dedup(result: FileResult, deduper: Deduper, settings: RunSettings) -> FileResult:
    """Drop repeated paragraphs from the output of ``result`` (rewritten atomically if any)."""
    if result.status not in (CLEANED, KEPT) or not result.dst or not os.path.isfile(result.dst):
        return result
    try:
        dropped = dedup_file(result.dst, settings.format_of(result.dst), deduper)
    except Exception as exc:
        return replace(result, status=FAILED, error=_one_line(f"--dedup: {_reason(exc, result.dst)}"))
    return replace(result, dedup_dropped=tuple(dropped))


def dedup_file(path: str, fmt: Format, deduper: Deduper) -> list[int]:
    """Repeats dropped from each document of the output ``path``; the file is replaced only if
    some were."""
    from cleaner.formats import dump_record, read_records

    dropped: list[int] = []
    with AtomicOutput(path, fmt) as out:
        with _open_input(path) as handle:
            stream = decompressed(handle, fmt)
            if fmt.kind == JSONL:
                for record in read_records(stream, fmt.text_field):
                    if record.data is None:  # a bad record, passed through
                        out.write_bytes(record.raw + b"\n")
                        continue
                    record.data[fmt.text_field], n = deduper.text(record.data[fmt.text_field])
                    dropped.append(n)
                    out.write_bytes(dump_record(record.data) if n else record.raw + b"\n")
            else:
                count = [0]
                lines = (line.decode("utf-8", "replace").rstrip("\n") for line in stream)
                for line in deduper.lines(lines, count):
                    out.write(line + "\n")
                dropped.append(count[0])
        if any(dropped):
            out.commit(overwrite=True)
    return dropped


def _report(report: AtomicOutput, result: FileResult) -> None:
    """The report rows of one file (see :mod:`cleaner.report`)."""
    dedup = list(result.dedup_dropped) if result.dedup_dropped else None
    if result.status == CLEANED and result.documents:
        cleaned = [d for d in result.documents if d.status == CLEANED]
        counts = iter(dedup) if dedup is not None and len(dedup) == len(cleaned) else None
        for doc in result.documents:
            n = next(counts) if counts is not None and doc.status == CLEANED else None
            report.write(dump_row(doc.row(result.path, n)))
        return
    row = DocReport(result.status, error=result.error).row(result.path, sum(dedup) if dedup else None)
    report.write(dump_row(row))


# --- files ----------------------------------------------------------------------------------


class OutputError(OSError):
    """Writing an output failed (reported as "cannot write OUT: why", unlike input errors)."""


@contextmanager
def _writing(path: str) -> Iterator[None]:
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(exc.errno, exc.strerror or str(exc), path) from exc


class NotRegularFileError(OSError):
    """A FIFO, device or socket: reading it could block the run forever, so it is refused."""


def _open_input(path: os.PathLike[str] | str) -> BinaryIO:
    """Open a regular file for reading only. O_NONBLOCK makes opening a FIFO return at once
    (it then fails the regular-file check) instead of waiting for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file (FIFO, device or socket)", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_HAS_TMPFILE = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


class AtomicOutput:
    """An output file that appears under its name complete, or not at all.

    On Linux the text goes to an unnamed file (``O_TMPFILE``) in the output's folder, linked
    under its name once complete: a killed process leaves nothing behind. Elsewhere, or on file
    systems without ``O_TMPFILE``, it is a hidden ``.NAME.XXXX.part`` file beside the output,
    then renamed: a killed run may leave that behind, never a partial output. Without
    ``overwrite`` the output is linked only if its name is still free, so an output that
    appeared meanwhile is never replaced. There is no fsync: this protects against killed
    processes, not power loss, at no cost per file.
    """

    def __init__(self, path: os.PathLike[str] | str, fmt: Format | None = None) -> None:
        self.path = os.fspath(path)
        self._sink: BinaryIO | None = None
        folder, self.name = os.path.split(self.path)
        folder = folder or "."
        with _writing(self.path):
            os.makedirs(folder, exist_ok=True)
            self._dir = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        self._temp: str | None = None
        try:
            with _writing(self.path):
                fd = self._open_unnamed() if _HAS_TMPFILE else None
                if fd is None:
                    self._temp, fd = self._open_named()
                self._file = os.fdopen(fd, "wb")
                self._sink = compressed(self._file, fmt or Format())
        except BaseException:
            self.close()
            raise

    def _open_unnamed(self) -> int | None:
        try:
            return os.open(".", os.O_TMPFILE | os.O_RDWR, 0o666, dir_fd=self._dir)
        except OSError as exc:
            if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                return None  # this file system has no O_TMPFILE
            raise

    def _open_named(self) -> tuple[str, int]:
        while True:
            temp = f".{self.name}.{secrets.token_hex(4)}.part"
            try:
                return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=self._dir)
            except FileExistsError:
                continue

    def write(self, text: str) -> None:
        """Write text, as UTF-8 (through the compressor of the output's format, if any)."""
        self.write_bytes(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        assert self._sink is not None
        with _writing(self.path):
            self._sink.write(data)

    def commit(self, overwrite: bool) -> bool:
        """Put the output in place; False if it was already there and ``overwrite`` is off."""
        with _writing(self.path):
            return self._commit(overwrite)

    def _commit(self, overwrite: bool) -> bool:
        assert self._sink is not None
        self._sink.close()  # ends a compressed stream; the file stays open
        self._file.flush()
        if self._temp is None:  # unnamed: link it under a name
            source = f"/proc/self/fd/{self._file.fileno()}"
            try:
                if not overwrite:
                    return self._link(source)
                temp = f".{self.name}.{secrets.token_hex(4)}.part"
                os.link(source, temp, dst_dir_fd=self._dir)
                self._temp = temp
            except OSError:  # linking from /proc refused here: fall back to a named copy
                self._temp = self._copy_unnamed()
        if overwrite:
            os.replace(self._temp, self.name, src_dir_fd=self._dir, dst_dir_fd=self._dir)
            self._temp = None
            return True
        return self._link(self._temp, src_dir_fd=self._dir)

    def _copy_unnamed(self) -> str:
        global _HAS_TMPFILE
        _HAS_TMPFILE = False  # do not try O_TMPFILE again in this process
        temp, fd = self._open_named()
        with os.fdopen(fd, "wb") as named:
            offset = 0
            while block := os.pread(self._file.fileno(), READ_BYTES, offset):
                named.write(block)
                offset += len(block)
        return temp

    def _link(self, source: str, src_dir_fd: int | None = None) -> bool:
        try:
            os.link(source, self.name, src_dir_fd=src_dir_fd, dst_dir_fd=self._dir)
        except FileExistsError:
            return False
        return True

    def close(self) -> None:
        """Release the file; a named temporary that was not renamed into place is removed."""
        file = getattr(self, "_file", None)
        if self._sink is not None:
            with suppress(Exception):  # a compressor's end, written to a file about to be dropped
                self._sink.close()
        if file is not None:
            file.close()
        if self._temp is not None:
            with suppress(FileNotFoundError):
                os.unlink(self._temp, dir_fd=self._dir)
            self._temp = None
        os.close(self._dir)

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- reports --------------------------------------------------------------------------------


def _failed(job: Job, exc: BaseException) -> FileResult:
    return FileResult(job.name, FAILED, _reason(exc, str(job.src)))


def _reason(exc: BaseException, src: str) -> str:
    """A short, plain reason for a failure (no traceback: one line per file)."""
    if isinstance(exc, BinaryInputError):
        return str(exc)
    damaged = decompression_error(exc)
    if damaged is not None:
        return damaged
    if isinstance(exc, OutputError):
        return f"cannot write {exc.filename}: {exc.strerror}"
    if isinstance(exc, OSError):
        if isinstance(exc, FileNotFoundError):
            if os.path.islink(src):
                return "broken symbolic link (its target does not exist)"
            return "no such file (removed during the run?)"
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if isinstance(exc, PermissionError):
            return "permission denied"
        return exc.strerror or str(exc)
    if isinstance(exc, MemoryError):
        return f"out of memory ({exc or 'MemoryError'}); fewer --jobs or a smaller --segment-mb may help"
    return f"internal error, please report it: {type(exc).__name__}: {exc}"


def _one_line(text: str) -> str:
    """Escape line breaks and undecodable file-name bytes so a report stays one printable line."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\n", "\\n").replace("\r", "\\r")
