"""Split into lines: the record every later stage works on.

A document is split on ``\\n``, ``\\r\\n`` and ``\\r`` only (not on the rarer Unicode separators
``str.splitlines`` also honours, which ftfy leaves inside a line). Each line is repaired on its
own, stripped of surrounding whitespace (including no-break spaces) and trimmed of inline
cruft; the record keeps the raw text too, so ``explain`` can show what changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.repair import repair_line
from cleaner.trim import trim

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Line:
    """One line of a document, as the classifier and the writer see it."""

    index: int  # 0-based position in the document as given
    raw: str  # as decoded, before repair
    text: str  # repaired, stripped, inline cruft removed: what is written if kept
    trimmed: str = ""  # the inline cruft removed from the line ("" when none)

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[str]:
    """Split on the three newline conventions; a final newline ends the last line."""
    parts = _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def to_lines(text: str, normalize: bool = False) -> list[Line]:
    """Split ``text`` and make a repaired, stripped, trimmed record of every line."""
    records = []
    for index, raw in enumerate(split_lines(text)):
        repaired = repair_line(raw, normalize).strip()
        kept, cut = trim(repaired)
        records.append(Line(index, raw, kept, cut))
    return records
