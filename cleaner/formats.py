"""Formats: plain text or JSONL, optionally gzip- or zstd-compressed, told by the file name.

A run writes each output in its input's format (same name under ``OUT``, so same compression):

* ``.txt`` and any other name: the file is one document.
* ``.jsonl`` / ``.ndjson``: one JSON object per line; each record's ``text_field`` (``text`` by
  default) is one document, cleaned in place, and every other field is written back unchanged,
  so there is one output record per input record, in order. Blank lines are not records and are
  not written. A line that is not a JSON object with a string ``text_field`` is a *bad record*:
  it is written through unchanged (its bytes as read) and reported with its file and line
  number, and the rest of the file is cleaned (a pipeline rarely wants to lose a whole shard for
  one broken line; the exit status still says something was not cleaned).
* A final ``.gz`` (gzip) or ``.zst`` / ``.zstd`` (Zstandard) decompresses the input and
  compresses the output the same way. Compressed outputs are deterministic (gzip with no time
  stamp or name), so the same input gives the same bytes.

Records are read with the standard library's ``json``: it keeps numbers of any size exactly and
keys in order; output records are compact (no spaces) UTF-8 JSON.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

TEXT, JSONL = "text", "jsonl"
GZIP, ZSTD = "gzip", "zstd"

_COMPRESSION = {".gz": GZIP, ".zst": ZSTD, ".zstd": ZSTD}
_JSONL = (".jsonl", ".ndjson")
#: gzip level for outputs: the gzip tool's default (9 is far slower for a few percent).
GZIP_LEVEL = 6


@dataclass(frozen=True)
class Format:
    """How a file is read and written."""

    kind: str = TEXT  # TEXT or JSONL
    compression: str | None = None  # None, GZIP or ZSTD
    text_field: str = "text"  # for JSONL: the field holding the document


def infer_format(name: str, kind: str | None = None, text_field: str = "text") -> Format:
    """The format of the file called ``name``: compression from its last suffix, and JSONL for
    ``.jsonl``/``.ndjson`` before it, unless ``kind`` (TEXT or JSONL) says otherwise."""
    lower = name.lower()
    compression = next((c for suffix, c in _COMPRESSION.items() if lower.endswith(suffix)), None)
    if compression is not None:
        lower = lower[: lower.rindex(".")]
    if kind is None:
        kind = JSONL if lower.endswith(_JSONL) else TEXT
    return Format(kind, compression, text_field)


def decompressed(handle: BinaryIO, fmt: Format) -> BinaryIO:
    """``handle`` (an open file), read through its decompressor; closing it closes the file."""
    if fmt.compression == GZIP:
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    if fmt.compression == ZSTD:
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True, closefd=True)
        return io.BufferedReader(reader)  # type: ignore[arg-type]  # adds readline and iteration
    return handle


def compressed(sink: BinaryIO, fmt: Format) -> BinaryIO:
    """A writer compressing into ``sink``; closing it ends the stream, not ``sink``."""
    if fmt.compression == GZIP:
        return gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=GZIP_LEVEL, mtime=0)  # type: ignore[return-value]
    if fmt.compression == ZSTD:
        import zstandard

        return zstandard.ZstdCompressor().stream_writer(sink, closefd=False)  # type: ignore[return-value]
    return _Uncompressed(sink)


class _Uncompressed(io.RawIOBase):
    """``sink`` as is, except that closing it leaves ``sink`` open (like the compressors)."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._sink.write(data)


def decompression_error(exc: BaseException) -> str | None:
    """A one-line reason if ``exc`` says that compressed input is damaged, else None."""
    if isinstance(exc, gzip.BadGzipFile):
        return f"not gzip data ({exc})"
    if isinstance(exc, EOFError):
        return "compressed data ends early (truncated file?)"
    if type(exc).__name__ == "ZstdError":
        return f"damaged zstd data ({exc})"
    return None


# --- JSONL ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One non-blank line of a JSONL file: its document text, or why it is a bad record."""

    line: int  # 1-based line number in the file
    index: int  # 0-based among the file's records
    raw: bytes  # the line as read, without its line break
    data: dict[str, Any] | None  # the parsed object (None for a bad record)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None


def read_records(handle: IO[bytes], text_field: str) -> Iterator[Record]:
    """The records of a JSONL stream, in order; bad ones carry the reason (never raising on them)."""
    index = 0
    for number, line in enumerate(handle, start=1):
        raw = line.rstrip(b"\r\n")
        if not raw.strip():
            continue
        yield _parse(raw, number, index, text_field)
        index += 1


def _parse(raw: bytes, line: int, index: int, field: str) -> Record:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return Record(line, index, raw, None, f"not valid JSON ({_first_line(exc)})")
    if not isinstance(data, dict):
        return Record(line, index, raw, None, f"not a JSON object but {type(data).__name__}")
    if not isinstance(data.get(field), str):
        what = "missing" if field not in data else f"{type(data[field]).__name__}, not a string"
        return Record(line, index, raw, None, f"field {field!r} {what}")
    return Record(line, index, raw, data)


def dump_record(data: dict[str, Any]) -> bytes:
    """One output line: compact UTF-8 JSON and a newline (a lone surrogate, which UTF-8 cannot
    hold, is written as its ``\\u`` escape, as it came)."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":")).encode("ascii") + b"\n"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
