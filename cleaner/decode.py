"""Read and decode: bytes of unknown encoding to text, never raising on bad bytes.

Order of trust: a byte-order mark (UTF-8/16/32) is authoritative; otherwise strict UTF-8,
which is what almost all web text is and which no other encoding decodes by accident; then
charset-normalizer's best guess; and as a last resort UTF-8 with U+FFFD for each bad byte,
so undecodable input degrades instead of crashing a run.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError:
                return Decoded(data.decode(codec, errors="replace"), codec, lossy=True)
    if b"\0" in data[:8192]:
        return _decode_with_nuls(data)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return Decoded(str(best), best.encoding)
    return Decoded(data.decode("utf-8", errors="replace"), "utf-8", lossy=True)


def _decode_with_nuls(data: bytes) -> Decoded:
    """NUL bytes mean UTF-16/32 without a byte-order mark, or a binary file (refused)."""
    best = from_bytes(data[: 1 << 16]).best()
    if best is not None and best.encoding and best.encoding.startswith(("utf_16", "utf_32")):
        return Decoded(data.decode(best.encoding, errors="replace"), best.encoding)
    raise BinaryInputError("binary file (NUL bytes), not text")
