"""Unwrap: find the paragraphs a renderer broke into lines, so each is classified whole.

Browser dumps (lynx, w3m) and html2text write a paragraph as several lines of at most a fixed
width (html2text: 78 columns). Each piece alone is no sentence, starts mid-sentence and shows the
text model the middle of a paragraph, so the model reads such a document far worse than the same
page with one line per paragraph. Here, a document whose lines stop short of one width is
recognised as wrapped, and a line is joined to the one before it when the first word of the
line would not have fitted on the line before: that is how greedy wrapping breaks lines, and
it does not hold between two lines a page wrote on their own. The joined unit is classified as
one line and its decision applies to every piece; what is written out is the input lines.

Renderers that write each text node on a line of its own (BeautifulSoup's
``get_text("\\n")``) break a sentence around every link or bold word: "Shares of", "Acme",
"rose 3% on Monday.". A line that starts in lowercase or with closing punctuation, directly
below a line that does not end a sentence or a clause, continues it (:func:`continues_sentence`)
and is joined to it when cleaning, in any document. On the WCXB dev pages re-rendered that way
(``text nodes`` in ``benchmarks/renderings.py``) this took token F1 from 0.923 to 0.928 and
content-line recall from 0.867 to 0.897; on the pages as given (1,066 such pairs in 241,690
lines, 99% of them with one label) and on our held-out corpus nothing measurable changed.
Training does not join such lines (``join_broken=False``): our corpus has no broken sentences,
and what the rule joins there is what our writers set on lines of their own, a title and the
lowercase byline under it, a line of code and the next. Models trained with it lost on both
sets (see docs/quality.md).

A document that is not recognised as wrapped and has no broken sentences (a paragraph per
line, as inscriptis and trafilatura write) has one unit per non-blank line, so it is cleaned
exactly as without this stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A unit is read (classified, counted across a run, compared for repeats) by its first this
#: many characters, and its decision applies to all of it. No paragraph of a page is this long
#: (the longest line of the 697 WCXB dev pages has 22,723 characters, of our corpus 551), and
#: the features read only the first few hundred; but a line of 30 MB (a blob, a file written
#: without line breaks) took 20 times its size in memory, most of it in copies made to read it.
READ_CHARS = 100_000
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
#: At most this many lines are joined as the pieces of one broken sentence: a sentence has a
#: few links, while a long run of lowercase lines (a word list, a log, code) is no sentence and
#: is read a few lines at a time rather than decided all at once.
MAX_BROKEN = 16
#: inscriptis marks the items of a nested list with ``o``; Portuguese and Italian start
#: sentences with the word "o", so only ``o`` before a capital or a digit is a marker.
_SUB_ITEM = re.compile(r"o\s+[^\W_a-zß-ÿ]")
#: A line ending so has closed its sentence or clause; a line starting so carries one on.
_ENDS_CLAUSE = tuple(".!?…:;\"'”’»)]")
_CLOSING = ",.;:!?)]»”’"


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


def units(lines: Sequence[str], join_broken: bool = True) -> list[list[int]]:
    """The non-blank lines of a document grouped into units (indices into ``lines``, in order):
    the pieces of one wrapped paragraph together, and with ``join_broken`` the pieces of a broken
    sentence, every other line alone."""
    width = wrap_width(lines)
    out: list[list[int]] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if (
            out
            and out[-1][-1] == i - 1
            and (
                (width is not None and _continues(lines[i - 1], line, width))
                or (join_broken and len(out[-1]) < MAX_BROKEN and continues_sentence(lines[i - 1], line))
            )
        ):
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


def continues_sentence(before: str, line: str) -> bool:
    """``line`` carries on the sentence that ``before`` leaves open: ``before`` does not end with
    a sentence's or a clause's punctuation, and ``line`` is no list item and starts in lowercase
    or with closing punctuation. Both are non-blank."""
    if not (line[0].islower() or line[0] in _CLOSING):  # most lines: checked first, it is cheapest
        return False
    return not (before.endswith(_ENDS_CLAUSE) or _STARTS_ITEM.match(line) or _SUB_ITEM.match(line))


def unit_texts(
    lines: Sequence[str], found: list[list[int]] | None = None, join_broken: bool = True
) -> list[str]:
    """The text of each unit (``found``, or :func:`units` of ``lines``) as it is read: its
    pieces joined by spaces, its first :data:`READ_CHARS` characters."""
    found = units(lines, join_broken) if found is None else found
    return [" ".join(lines[i] for i in unit)[:READ_CHARS] for unit in found]
