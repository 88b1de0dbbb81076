"""The run engine: clean every file of a plan, in parallel, atomically, resumably.

:func:`run_jobs` is what ``clean IN OUT`` does; the command line only parses options and
prints. The guarantees, for unattended runs over millions of files:

* **A bad file never stops a run.** Every failure (binary, unreadable, vanished, a broken
  symbolic link, even a bug in the cleaner) becomes a :class:`FileResult` with a one-line
  error naming the file, and the run goes on. The exit status is 0 when every file was
  cleaned or its output was already there, 1 otherwise (see :class:`Summary`).
* **Nothing is lost.** Inputs are only ever opened for reading. An output appears under its
  name complete or not at all (:class:`AtomicOutput`), so a killed run leaves no partial file;
  existing outputs are kept unless ``overwrite``, so running the same command again finishes
  only what is missing.
* **Parallel, same bytes.** With ``jobs > 1`` files are cleaned by joblib's loky workers. Each
  worker builds its :class:`~cleaner.api.Cleaner` once (:func:`_cleaner`, cached per process
  by :class:`~cleaner.api.Config`) and gets tasks of up to :data:`CHUNK_FILES` files or
  :data:`CHUNK_BYTES` bytes, whose texts go through one ``clean_many`` call. Tasks are made
  the same way for any ``jobs`` and results come back in order, so the output is byte-identical
  to ``jobs=1``. Every process uses one BLAS/OpenMP thread: parallelism is across files, and
  library threads on small batches only oversubscribe the cores.
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
  peaks at about 550 MB; ``benchmarks/fuzz.py --huge``).
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import secrets
import stat
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

from cleaner.api import Cleaner, Config
from cleaner.decode import BinaryInputError, decode, sniff
from cleaner.files import Job, Plan

#: Files larger than this are cleaned in segments of about this many characters. The cleaner's
#: memory grows with the size of a document (measured on 20 MB of corpus lines: peak RSS 300 MB
#: with 0.5 MB segments, 390 MB with 1 MB, 610 MB with 2 MB, 1.7 GB with 8 MB), and a megabyte is
#: some 20,000 lines, far more context than any real page needs.
SEGMENT_BYTES = 1 << 20
#: A task for a worker holds at most this many files ...
CHUNK_FILES = 32
#: ... or this many bytes of input (a larger file is a task of its own).
CHUNK_BYTES = 4 << 20
#: Bytes read at a time from a large file.
READ_BYTES = 1 << 20
#: Errors kept in the summary (every error is also reported as it happens).
FIRST_ERRORS = 5

CLEANED, KEPT, FAILED = "cleaned", "kept", "failed"


@dataclass(frozen=True)
class RunSettings:
    """How to run; picklable, as it is shipped to the workers with every task."""

    config: Config = field(default_factory=Config)
    overwrite: bool = False
    jobs: int = 1
    segment_bytes: int = SEGMENT_BYTES


@dataclass(frozen=True)
class FileResult:
    """What happened to one input: cleaned, kept (its output was already there) or failed."""

    path: str
    status: str
    error: str = ""

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

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def describe(self) -> str:
        kept = f"{self.kept} already there (kept; --overwrite to redo)"
        text = f"{self.cleaned} cleaned, {kept}, {self.failed} failed"
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
        if result.status == FAILED and len(errors) < FIRST_ERRORS:
            errors.append(result.line)
    return Summary(counts[CLEANED], counts[KEPT], counts[FAILED], tuple(errors))


class RunAborted(RuntimeError):
    """A worker process died (killed, or out of memory); completed outputs are intact."""


def run_jobs(
    plan: Plan, settings: RunSettings, on_result: Callable[[FileResult], None] | None = None
) -> Summary:
    """Clean every file of ``plan``; ``on_result`` sees each result as it comes (progress, errors)."""

    def observed() -> Iterator[FileResult]:
        for result in iter_results(plan, settings):
            if on_result is not None:
                on_result(result)
            yield result

    return summarize(observed())


def iter_results(plan: Plan, settings: RunSettings) -> Iterator[FileResult]:
    """The result of every planned file (and of every path the plan could not clean), lazily."""
    from threadpoolctl import threadpool_limits

    for skipped in plan.skipped:
        yield FileResult(str(skipped.path), FAILED, skipped.reason)
    if settings.jobs <= 1:
        with threadpool_limits(limits=1):
            for item in _tasks(plan, settings):
                if isinstance(item, FileResult):
                    yield item
                else:
                    yield from _clean_chunk(item, settings)
        return
    yield from _parallel(plan, settings)


def _parallel(plan: Plan, settings: RunSettings) -> Iterator[FileResult]:
    from joblib import Parallel, delayed, parallel_config
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    kept: deque[FileResult] = deque()  # outputs already there, found while tasks are made

    def chunks() -> Iterator[list[Job]]:
        for item in _tasks(plan, settings):
            if isinstance(item, FileResult):
                kept.append(item)
            else:
                yield item

    with parallel_config(backend="loky", inner_max_num_threads=1):
        parallel = Parallel(n_jobs=settings.jobs, return_as="generator")
        try:
            for results in parallel(delayed(_clean_chunk)(chunk, settings) for chunk in chunks()):
                while kept:
                    yield kept.popleft()
                yield from results
        except TerminatedWorkerError as exc:
            raise RunAborted(
                "a worker process died (killed, or out of memory); the outputs written are complete: "
                "run the same command again to finish"
            ) from exc
    while kept:
        yield kept.popleft()


def _tasks(plan: Plan, settings: RunSettings) -> Iterator[FileResult | list[Job]]:
    """Tasks of files to clean, in plan order; a kept result for each output already there."""
    chunk: list[Job] = []
    size = 0
    for job in plan:
        if not settings.overwrite and os.path.lexists(job.dst):
            yield FileResult(str(job.src), KEPT)
            continue
        try:
            n = os.stat(job.src).st_size
        except OSError:
            n = 0  # the worker reports why
        if chunk and (len(chunk) >= CHUNK_FILES or size + n > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(job)
        size += n
    if chunk:
        yield chunk


@lru_cache(maxsize=2)
def _cleaner(config: Config) -> Cleaner:
    """One Cleaner (one loaded model) per process and config, reused for every task."""
    return Cleaner(config)


def _clean_chunk(jobs: list[Job], settings: RunSettings) -> list[FileResult]:
    """Clean a task's files: small ones read whole and cleaned in one ``clean_many`` call."""
    try:
        cleaner = _cleaner(settings.config)
    except Exception as exc:  # e.g. the model file was changed during the run
        return [FileResult(str(job.src), FAILED, _one_line(f"cannot load the model: {exc}")) for job in jobs]
    results: list[FileResult | None] = [None] * len(jobs)
    texts: list[tuple[int, str]] = []
    for i, job in enumerate(jobs):
        try:
            with _open_input(job.src) as handle:
                if os.fstat(handle.fileno()).st_size > settings.segment_bytes:
                    results[i] = _clean_large(handle, job, cleaner, settings)
                    continue
                data = handle.read()
            texts.append((i, decode(data).text))
        except Exception as exc:
            results[i] = _failed(job, exc)
    outputs = _clean_texts(cleaner, [text for _, text in texts])
    for (i, _), output in zip(texts, outputs, strict=True):
        job = jobs[i]
        if isinstance(output, Exception):
            results[i] = _failed(job, output)
            continue
        try:
            with AtomicOutput(job.dst) as out:
                out.write(output)
                results[i] = FileResult(str(job.src), CLEANED if out.commit(settings.overwrite) else KEPT)
        except Exception as exc:
            results[i] = _failed(job, exc)
    return [r for r in results if r is not None]


def _clean_texts(cleaner: Cleaner, texts: list[str]) -> list[str | Exception]:
    """``clean_many`` over the batch; if it raises, text by text, so only the culprit fails."""
    try:
        return list(cleaner.clean_many(texts))
    except Exception:
        pass
    outputs: list[str | Exception] = []
    for text in texts:
        try:
            outputs.extend(cleaner.clean_many([text]))
        except Exception as exc:
            outputs.append(exc)
    return outputs


def _clean_large(handle: BinaryIO, job: Job, cleaner: Cleaner, settings: RunSettings) -> FileResult:
    with AtomicOutput(job.dst) as out:
        for piece in clean_stream(handle, cleaner, settings.segment_bytes):
            out.write(piece)
        return FileResult(str(job.src), CLEANED if out.commit(settings.overwrite) else KEPT)


# --- large inputs: segments -----------------------------------------------------------------

_NL = r"(?:\r\n|\r(?!\n)|\n)"  # a "\r\n" is one line break, never a blank line
_BLANK_BREAK = re.compile(f"{_NL}[^\\S\\r\\n]*{_NL}")
_STARTS_BLANK = re.compile(r"[^\S\r\n]*(?:\r\n|\r|\n)")


def clean_stream(handle: BinaryIO, cleaner: Cleaner, segment_bytes: int = SEGMENT_BYTES) -> Iterator[str]:
    """The cleaned text of the binary stream ``handle``, in pieces, reading at most about two
    segments at a time (see the module docstring). Raises BinaryInputError for binary data."""
    head = handle.read(segment_bytes)
    encoding = sniff(head, complete=len(head) < segment_bytes)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def decoded() -> Iterator[str]:
        yield decoder.decode(head)
        while block := handle.read(READ_BYTES):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)

    blanks: deque[bool] = deque()

    def texts() -> Iterator[str]:
        for text, after_blank in segments(decoded(), segment_bytes):
            blanks.append(after_blank)
            yield text

    wrote = pending_blank = False
    for output in cleaner.clean_many(texts()):
        pending_blank = pending_blank or (blanks.popleft() and wrote)
        if output:
            if pending_blank:
                yield "\n"
            yield output
            wrote, pending_blank = True, False


def segments(pieces: Iterable[str], size: int) -> Iterator[tuple[str, bool]]:
    """Split the text arriving in ``pieces`` into segments of at most ``size`` characters, each
    with whether a blank line separated it from the previous one. A segment ends at the last
    blank line within ``size`` characters if there is one, else at the last line break; a line
    longer than ``size`` is a segment of its own. The line breaks at a cut are dropped: the
    segments are cleaned as separate documents."""
    buf = ""
    searched = 0  # buf[:searched] is known to hold no line break
    after_blank = False
    for piece in pieces:
        buf += piece
        while len(buf) > size:
            # the last character is not searched: a "\r" there may be the first half of "\r\n"
            cut = _cut(buf, searched, size, len(buf) - 1)
            if cut is None:
                searched = len(buf) - 1
                break
            end, start, blank = cut
            yield buf[:end], after_blank
            buf, searched, after_blank = buf[start:], 0, blank
    if buf:
        yield buf, after_blank


_BREAK = re.compile(r"\r\n|\r|\n")


def _cut(buf: str, lo: int, size: int, hi: int) -> tuple[int, int, bool] | None:
    """Where to cut ``buf``, searching ``buf[lo:hi]``: (end of the segment, start of the rest,
    at a blank line?). The last blank line before ``size``, else the last line break before
    ``size``, else the first line break after it; None when there is no line break."""
    window = min(size, hi)
    last = None
    for last in _BLANK_BREAK.finditer(buf, lo, window):  # noqa: B007 (the last match is wanted)
        pass
    if last is not None:
        return last.start(), _after_break(buf, last.end()), True
    at = max(buf.rfind("\n", lo, window), buf.rfind("\r", lo, window))
    if at < 0:
        first = _BREAK.search(buf, max(lo, window), hi)
        if first is None:
            return None
        at = first.start()
    end = at - 1 if buf[at] == "\n" and at > 0 and buf[at - 1] == "\r" else at
    start = _after_break(buf, at + 1)
    return end, start, _STARTS_BLANK.match(buf, start) is not None


def _after_break(buf: str, i: int) -> int:
    """``i``, moved past the "\n" of a "\r\n" whose "\r" ends just before it."""
    return i + 1 if buf[i - 1] == "\r" and buf[i : i + 1] == "\n" else i


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

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = os.fspath(path)
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
        with _writing(self.path):
            self._file.write(text.encode("utf-8"))

    def commit(self, overwrite: bool) -> bool:
        """Put the output in place; False if it was already there and ``overwrite`` is off."""
        with _writing(self.path):
            return self._commit(overwrite)

    def _commit(self, overwrite: bool) -> bool:
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
    return FileResult(str(job.src), FAILED, _reason(exc, str(job.src)))


def _reason(exc: BaseException, src: str) -> str:
    """A short, plain reason for a failure (no traceback: one line per file)."""
    if isinstance(exc, BinaryInputError):
        return str(exc)
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
