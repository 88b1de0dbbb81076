"""Split into lines: the record every later stage works on.

A document is split on ``\\n``, ``\\r\\n`` and ``\\r`` only (not on the rarer Unicode separators
``str.splitlines`` also honours, which ftfy leaves inside a line). Each line is repaired on its
own, stripped of surrounding whitespace (including no-break spaces) and trimmed of inline
cruft; the record keeps the raw text too, so ``explain`` can show what changed. A line break
that repair itself produces (an entity such as ``&#10;``) becomes a space, so one input line
is always one output line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.repair import repair_lines
from cleaner.trim import trim

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class DocLines:
    """The lines of one document, as the classifier and the writer see them."""

    raw: list[str]  # as decoded, before repair
    text: list[str]  # repaired, stripped, inline cruft removed: what is written if kept ("" = blank)
    trimmed: list[str]  # the inline cruft removed from each line ("" when none)

    def __len__(self) -> int:
        return len(self.raw)


def split_lines(text: str) -> list[str]:
    """Split on the three newline conventions; a final newline ends the last line."""
    parts = _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def split_doc(text: str, normalize: bool = False) -> DocLines:
    """Split ``text`` and make the repaired, stripped, trimmed record of every line."""
    raw = split_lines(text)
    texts: list[str] = []
    cuts: list[str] = []
    for line in repair_lines(raw, text, normalize):
        if "\n" in line or "\r" in line:
            line = _NEWLINE.sub(" ", line)
        line = line.strip()
        kept, cut = trim(line) if line else ("", "")
        texts.append(kept)
        cuts.append(cut)
    return DocLines(raw, texts, cuts)
