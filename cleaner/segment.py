"""Segments: text too large to clean as one document, cut at blank lines or line breaks.

A file larger than the segment size is never held whole (see :mod:`cleaner.run`): it is decoded
incrementally and cut into segments of about that size, each cleaned as a document of its own.
The same cut is made for a JSONL record whose text is that large.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cleaner.decode import sniff

#: Bytes read at a time from a large file.
READ_BYTES = 1 << 20

_NL = r"(?:\r\n|\r(?!\n)|\n)"  # a "\r\n" is one line break, never a blank line
_BLANK_BREAK = re.compile(f"{_NL}[^\\S\\r\\n]*{_NL}")
_STARTS_BLANK = re.compile(r"[^\S\r\n]*(?:\r\n|\r|\n)")
_BREAK = re.compile(r"\r\n|\r|\n")


def decoded_pieces(head: bytes, handle: BinaryIO, segment_bytes: int) -> Iterator[str]:
    """The text of a stream whose first bytes ``head`` were already read, decoded incrementally
    with the encoding sniffed from its first segment; bad bytes later become U+FFFD. Raises
    BinaryInputError for binary data."""
    sample = head[:segment_bytes]
    encoding = sniff(sample, complete=len(sample) < segment_bytes)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    yield decoder.decode(head)
    while block := handle.read(READ_BYTES):
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


def segments(pieces: Iterable[str], size: int) -> Iterator[tuple[str, bool]]:
    """Split the text arriving in ``pieces`` into segments of at most ``size`` characters, each
    with whether a blank line separated it from the previous one. A segment ends at the last
    blank line within ``size`` characters if there is one, else at the last line break; a line
    longer than ``size`` is a segment of its own. The line breaks at a cut are dropped: the
    segments are cleaned as separate documents."""
    for text, after_blank, _ in numbered_segments(pieces, size):
        yield text, after_blank


def numbered_segments(pieces: Iterable[str], size: int) -> Iterator[tuple[str, bool, int]]:
    """:func:`segments`, each with the 0-based number of its first line in the whole text (so
    reports can name input lines)."""
    buf = ""
    searched = 0  # buf[:searched] is known to hold no line break
    after_blank = False
    line = 0
    for piece in pieces:
        buf += piece
        while len(buf) > size:
            # the last character is not searched: a "\r" there may be the first half of "\r\n"
            cut = _cut(buf, searched, size, len(buf) - 1)
            if cut is None:
                searched = len(buf) - 1
                break
            end, start, blank, skipped = cut
            yield buf[:end], after_blank, line
            line += len(_BREAK.findall(buf, 0, end)) + 1 + skipped
            buf, searched, after_blank = buf[start:], 0, blank
    if buf:
        yield buf, after_blank, line


def _cut(buf: str, lo: int, size: int, hi: int) -> tuple[int, int, bool, int] | None:
    """Where to cut ``buf``, searching ``buf[lo:hi]``: (end of the segment, start of the rest,
    at a blank line?, blank lines dropped by the cut). The last blank line before ``size``,
    else the last line break before ``size``, else the first line break after it; None when
    there is no line break."""
    window = min(size, hi)
    last = None
    for last in _BLANK_BREAK.finditer(buf, lo, window):  # noqa: B007 (the last match is wanted)
        pass
    if last is not None:
        return last.start(), _after_break(buf, last.end()), True, 1
    at = max(buf.rfind("\n", lo, window), buf.rfind("\r", lo, window))
    if at < 0:
        first = _BREAK.search(buf, max(lo, window), hi)
        if first is None:
            return None
        at = first.start()
    end = at - 1 if buf[at] == "\n" and at > 0 and buf[at - 1] == "\r" else at
    start = _after_break(buf, at + 1)
    return end, start, _STARTS_BLANK.match(buf, start) is not None, 0


def _after_break(buf: str, i: int) -> int:
    """``i``, moved past the "\\n" of a "\\r\\n" whose "\\r" ends just before it."""
    return i + 1 if buf[i - 1] == "\r" and buf[i : i + 1] == "\n" else i
