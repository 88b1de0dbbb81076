"""Clean one input stream of any format into one output: the work a run does per file.

A file holds documents: a text file is one (cut into segments when large, see
:mod:`cleaner.segment`), a JSONL file one per record (see :mod:`cleaner.formats`). The same
functions give the documents to the first pass of a run, which counts lines across documents
(:func:`documents`), and clean them in the second (:func:`clean_text`, :func:`clean_jsonl`), so
both passes see exactly the same texts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol

from cleaner.decode import decode
from cleaner.formats import JSONL, Format, Record, dump_record, read_records
from cleaner.report import CLEANED, JSONL_HEADER, PASSED, TEXT_HEADER, DocReport, Explained, output_text
from cleaner.segment import decoded_pieces, numbered_segments

if TYPE_CHECKING:
    from cleaner.api import Cleaner
    from cleaner.classify import Decision
    from cleaner.crossdoc import LineCounts

#: Bad JSONL records named one by one per file (all are counted).
BAD_RECORDS_NAMED = 5


class Sink(Protocol):
    """Where a cleaned output goes: an atomic output file, or standard output."""

    def write(self, text: str) -> None: ...

    def write_bytes(self, data: bytes) -> None: ...


@dataclass
class Worker:
    """A cleaner as a run uses it: cleaning, or explaining too (for ``--report``/``--removed``),
    with the counts of the run's first pass or without."""

    cleaner: Cleaner
    counts: LineCounts | None = None
    explain: bool = False

    def clean(self, texts: Iterable[str]) -> Iterator[tuple[str, list[Decision] | None]]:
        """Each text's cleaned text, and its decisions when explaining."""
        if self.explain:
            for decisions in self.cleaner.explain_many(texts, self.counts):
                yield output_text(decisions), decisions
        elif self.counts is None:
            for text in self.cleaner.clean_many(texts):
                yield text, None
        else:
            for text in self.cleaner.clean_many(texts, self.counts):
                yield text, None


@dataclass
class FileOutcome:
    """What cleaning one file gave, besides its output: a report per document when explaining,
    and the bad JSONL records (counted; the first few named)."""

    documents: list[DocReport] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # TSV rows, header first
    bad_records: int = 0
    bad_lines: list[str] = field(default_factory=list)


# --- segments of documents ----------------------------------------------------------------------


def _segments(doc: Iterable[str], size: int) -> Iterator[tuple[str, bool, int]]:
    """The segments of a document given in pieces; an empty document is one empty segment."""
    empty = True
    for segment in numbered_segments(doc, size):
        empty = False
        yield segment
    if empty:
        yield "", False, 0


def cleaned_segments(
    worker: Worker, docs: Iterable[Iterable[str]], size: int
) -> Iterator[tuple[str, list[Decision] | None, int, bool]]:
    """Clean documents (each given in pieces) segment by segment, all through one batched
    ``clean_many``/``explain_many``. For each segment, in order: the text to write for it
    (with the blank line that separates it from the previous output of its document), its
    decisions, the number of its first line in the document, and whether it ends its document."""
    meta: deque[tuple[bool, int, bool]] = deque()

    def texts() -> Iterator[str]:
        for doc in docs:
            previous = None
            for segment in _segments(doc, size):
                if previous is not None:
                    meta.append((previous[1], previous[2], False))
                    yield previous[0]
                previous = segment
            assert previous is not None
            meta.append((previous[1], previous[2], True))
            yield previous[0]

    wrote = pending_blank = False
    for output, decisions in worker.clean(texts()):
        after_blank, line, last = meta.popleft()
        pending_blank = pending_blank or (after_blank and wrote)
        piece = ""
        if output:
            piece = "\n" + output if pending_blank else output
            wrote, pending_blank = True, False
        yield piece, decisions, line, last
        if last:
            wrote = pending_blank = False


def clean_texts(worker: Worker, docs: Iterable[Iterable[str]], size: int) -> Iterator[tuple[str, Explained]]:
    """Each document's whole cleaned text and, when explaining, what was removed from it."""
    parts: list[str] = []
    explained = Explained()
    for piece, decisions, line, last in cleaned_segments(worker, docs, size):
        parts.append(piece)
        if decisions is not None:
            explained.add(decisions, line)
        if last:
            yield "".join(parts), explained
            parts, explained = [], Explained()


# --- text files ---------------------------------------------------------------------------------


def text_pieces(handle: BinaryIO, segment_bytes: int) -> tuple[str | None, Iterator[str] | None]:
    """A text stream as (its whole text, None) when it fits in a segment, else (None, its text in
    decoded pieces, read as they are needed)."""
    head = handle.read(segment_bytes + 1)
    if len(head) <= segment_bytes:
        return decode(head).text, None
    return None, decoded_pieces(head, handle, segment_bytes)


def clean_text(worker: Worker, pieces: Iterable[str], out: Sink, size: int) -> FileOutcome:
    """Clean a text document arriving in pieces into ``out``, segment by segment."""
    explained = Explained()
    for piece, decisions, line, _ in cleaned_segments(worker, [pieces], size):
        if piece:
            out.write(piece)
        if decisions is not None:
            explained.add(decisions, line)
    return text_outcome(explained, worker.explain)


def text_outcome(explained: Explained, explaining: bool) -> FileOutcome:
    if not explaining:
        return FileOutcome()
    return FileOutcome([DocReport(CLEANED, counts=explained.counts())], [TEXT_HEADER, *explained.rows])


# --- JSONL files --------------------------------------------------------------------------------


def clean_jsonl(
    worker: Worker, handle: BinaryIO, fmt: Format, out: Sink, size: int, name: str
) -> FileOutcome:
    """Clean every record's text field in place; bad records are written through as they came
    and counted (``name`` is the file named in their error lines)."""
    outcome = FileOutcome(removed=[JSONL_HEADER] if worker.explain else [])
    pending: deque[Record] = deque()  # records read, not yet written

    def docs() -> Iterator[list[str]]:
        for record in read_records(handle, fmt.text_field):
            pending.append(record)
            if record.ok:
                yield [record.data[fmt.text_field]]  # type: ignore[index]

    def flush_bad() -> None:
        while pending and not pending[0].ok:
            _bad(pending.popleft(), outcome, out, name, worker.explain)

    for text, explained in clean_texts(worker, docs(), size):
        flush_bad()
        record = pending.popleft()
        assert record.data is not None
        record.data[fmt.text_field] = text
        out.write_bytes(dump_record(record.data))
        if worker.explain:
            outcome.documents.append(DocReport(CLEANED, record.index, record.line, explained.counts()))
            outcome.removed.extend(f"{record.index}\t{row}" for row in explained.rows)
    flush_bad()
    return outcome


def _bad(record: Record, outcome: FileOutcome, out: Sink, name: str, explaining: bool) -> None:
    out.write_bytes(record.raw + b"\n")
    outcome.bad_records += 1
    if len(outcome.bad_lines) < BAD_RECORDS_NAMED:
        outcome.bad_lines.append(f"{name}:{record.line}: {record.error}; record passed through unchanged")
    if explaining:
        outcome.documents.append(DocReport(PASSED, record.index, record.line, error=record.error))


# --- the first pass: documents to count ---------------------------------------------------------


def documents(handle: BinaryIO, fmt: Format, size: int) -> Iterator[str]:
    """The texts a run cleans as documents for this (decompressed) stream, in order: what the
    first pass counts."""
    if fmt.kind == JSONL:
        for record in read_records(handle, fmt.text_field):
            if record.ok:
                for text, _, _ in _segments([record.data[fmt.text_field]], size):  # type: ignore[index]
                    yield text
        return
    whole, pieces = text_pieces(handle, size)
    if whole is not None:
        yield whole
    else:
        assert pieces is not None
        for text, _, _ in _segments(pieces, size):
            yield text
