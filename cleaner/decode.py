"""Read and decode: bytes of unknown encoding to text, never raising on bad bytes.

Order of trust: a byte-order mark (UTF-8/16/32) is authoritative; otherwise strict UTF-8,
which is what almost all web text is and which no other encoding decodes by accident; then
charset-normalizer's best guess; and as a last resort UTF-8 with U+FFFD for each bad byte,
so undecodable input degrades instead of crashing a run.

NUL bytes mean UTF-16/32 without a byte-order mark (which charset-normalizer recognises), text
with stray control characters, or a binary file. Data with NULs is refused as binary when NULs
are more than :data:`BINARY_NUL_SHARE` of its first 8 KiB (zero padding, archives, executables),
or when that sample is not UTF-8 and more than :data:`BINARY_CONTROL_SHARE` of it are non-text
control bytes (images and compressed data have about 10%). Scraped text with a few NULs or
other controls is text, and is cleaned: repair removes the control characters.

:func:`sniff` makes the decision from the start of the data alone, so a file too large to hold
in memory can be decoded incrementally (see :mod:`cleaner.run`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Bytes of the start of the data that the binary test reads.
BINARY_SAMPLE = 8192
#: Data with NUL bytes is binary when they are more than this share of the sample ...
BINARY_NUL_SHARE = 0.1
#: ... or when the sample is not UTF-8 and non-text control bytes are more than this share of it.
BINARY_CONTROL_SHARE = 0.05
#: Data that decodes as UTF-16/32 is taken for it only if at most this share of the characters
#: are controls (lenient: refusing text as binary loses it, cleaning junk costs little).
WIDE_CONTROL_SHARE = 0.2
#: C0 controls and DEL, except the whitespace ones (tab, newlines, form feed) and ESC (ANSI colours).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1B), *range(0x1C, 0x20), 0x7F])
_DELETE_ALL_BUT_CONTROLS = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


class BinaryInputError(ValueError):
    """Input that is not text (NUL bytes and no UTF-16/32 encoding that explains them)."""


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was decoded (for reports and ``explain``)."""

    text: str
    encoding: str
    lossy: bool = False  # True when bytes had to be replaced with U+FFFD


def decode(data: bytes) -> Decoded:
    """Decode ``data`` to text; see the module docstring for the order of attempts.

    Raises :class:`BinaryInputError` for data with NUL bytes that is not UTF-16/32 text.
    """
    encoding = sniff(data, complete=True)
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        return Decoded(data.decode(encoding, errors="replace"), encoding, lossy=True)


def sniff(head: bytes, complete: bool) -> str:
    """The codec to decode data starting with ``head`` with (``complete``: ``head`` is all of it).

    Raises :class:`BinaryInputError` for binary data. When the data is larger than ``head``, the
    codec is only a prediction for the rest; decode that with ``errors="replace"``.
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if b"\0" in head[:BINARY_SAMPLE]:
        wide = _wide_unicode(head)
        if wide:
            return wide
        _refuse_binary(head[:BINARY_SAMPLE])
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head).best()
    if best is not None and best.encoding:
        return best.encoding
    return "utf-8"  # with errors="replace": bad bytes become U+FFFD


#: UTF-16/32 without a byte-order mark: the codec, the byte positions (in a 2 or 4 byte unit)
#: that hold NUL in most text, the share of units that must have them there, and how many NULs
#: elsewhere, relative to those, are allowed.
_WIDE = (
    ("utf-32-le", 4, (2, 3), 0.9, 1.0),
    ("utf-32-be", 4, (0, 1), 0.9, 1.0),
    ("utf-16-le", 2, (1,), 0.05, 0.1),
    ("utf-16-be", 2, (0,), 0.05, 0.1),
)


def _wide_unicode(head: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark, or None. First by structure: the sample decodes
    strictly, to few control characters, and its NULs sit where that encoding puts them (high
    bytes of ASCII, spaces and line breaks) and almost nowhere else; binary data fails that.
    Then charset-normalizer."""
    sample = head[:BINARY_SAMPLE]
    for codec, unit, where, share, stray in _WIDE:
        units = len(sample) // unit
        at = sum(sample[i::unit].count(0) for i in where)
        elsewhere = sum(sample[i::unit].count(0) for i in range(unit) if i not in where)
        if units and at >= share * units * len(where) and elsewhere <= stray * at:
            try:
                text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            if len(_CONTROL_CHARS.findall(text)) <= WIDE_CONTROL_SHARE * len(text):
                return codec
    best = from_bytes(head[: 1 << 16]).best()
    if best is not None and best.encoding and best.encoding.startswith(("utf_16", "utf_32")):
        return best.encoding
    return None


def _refuse_binary(sample: bytes) -> None:
    """Raise :class:`BinaryInputError` when ``sample`` (which has NULs) looks like binary data."""
    if sample.count(0) > BINARY_NUL_SHARE * len(sample):
        raise BinaryInputError("binary file (NUL bytes), not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return
    except UnicodeDecodeError:
        pass
    if len(sample.translate(None, _DELETE_ALL_BUT_CONTROLS)) > BINARY_CONTROL_SHARE * len(sample):
        raise BinaryInputError("binary file (NUL and control bytes), not text")
