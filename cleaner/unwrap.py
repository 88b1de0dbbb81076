"""Unwrap: find the paragraphs a renderer broke at a fixed width, so each is classified whole.

Browser dumps (lynx, w3m) and html2text write a paragraph as several lines of at most a fixed
width (html2text: 78 columns). Each piece alone is no sentence, starts mid-sentence and shows the
text model the middle of a paragraph, so the model reads such a document far worse than the same
page with one line per paragraph. Here, a document whose lines stop short of one width is
recognised as wrapped, and a line is joined to the one before it when the first word of the
line would not have fitted on the line before: that is how greedy wrapping breaks lines, and
it does not hold between two lines a page wrote on their own. The joined unit is classified as
one line and its decision applies to every piece; what is written out is the input lines.

A document that is not recognised as wrapped (a paragraph per line, as inscriptis and
trafilatura write) has one unit per non-blank line, so it is cleaned exactly as without this
stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Lines shorter than this are not used to find the width (menus, headings, last pieces).
MIN_MEASURED = 30
#: At least this many lines of at least MIN_MEASURED characters are needed to call a width.
MIN_LINES = 8
#: Widths outside these are not wrapping: shorter, a column of titles or table cells; longer,
#: whole paragraphs.
MIN_WIDTH = 60
MAX_WIDTH = 160
#: The width is the 90th percentile of the measured lengths; a wrapped document has at least
#: NEAR_SHARE of its measured lines within NEAR characters below it.
NEAR = 15
NEAR_SHARE = 0.5
#: Slack for indentation that stripping removed (html2text indents the pieces of list items).
SLACK = 4
#: A line that starts a list item or a heading starts a unit even when it would have fitted.
_STARTS_ITEM = re.compile(r"(?:[*•·▪►‣◦+\-–—>#|]\s|\d{1,3}[.)]\s)")


def wrap_width(lines: Sequence[str]) -> int | None:
    """The width a document's lines were wrapped at, or None if it does not look wrapped."""
    lengths = sorted(len(line) for line in lines if len(line) >= MIN_MEASURED)
    if len(lengths) < MIN_LINES:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    near = sum(1 for n in lengths if width - NEAR <= n <= width)
    return width if near >= NEAR_SHARE * len(lengths) else None


def units(lines: Sequence[str]) -> list[list[int]]:
    """The non-blank lines of a document grouped into units (indices into ``lines``, in order):
    the pieces of one wrapped paragraph together, every other line alone."""
    width = wrap_width(lines)
    out: list[list[int]] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if width is not None and out and out[-1][-1] == i - 1 and _continues(lines[i - 1], line, width):
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _continues(before: str, line: str, width: int) -> bool:
    """``line`` is the next piece of the paragraph ``before`` ends: its first word would have
    made ``before`` longer than the width."""
    if _STARTS_ITEM.match(line):
        return False
    first = line.split(" ", 1)[0]
    return len(before) + 1 + len(first) > width - SLACK


def unit_texts(lines: Sequence[str], found: list[list[int]] | None = None) -> list[str]:
    """The text of each unit (``found``, or :func:`units` of ``lines``): its pieces joined by
    spaces."""
    return [" ".join(lines[i] for i in unit) for unit in (units(lines) if found is None else found)]
