"""Split into lines: the record every later stage works on.

A document is split on ``\\n``, ``\\r\\n`` and ``\\r`` only (not on the rarer Unicode separators
``str.splitlines`` also honours, which ftfy leaves inside a line). Each line is repaired on its
own, stripped of surrounding whitespace (including no-break spaces and the characters that
print as nothing, :data:`INVISIBLE`) and trimmed of inline cruft; the record keeps the raw text
too, so ``explain`` can show what changed. A line break that repair itself produces (an entity
such as ``&#10;``) becomes a space, so one input line is always one output line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.repair import repair_line, repair_lines
from cleaner.repair import suspect_free as _suspect_free
from cleaner.trim import trim

_NEWLINE = re.compile(r"\r\n|\r|\n")
#: Characters that print as nothing: soft hyphen, combining grapheme joiner, Mongolian vowel
#: separator, zero-width space/non-joiner/joiner, direction marks, word joiner and invisible
#: operators, byte order mark. Page builders fill "empty" paragraphs with them (``&zwj;``), so
#: a line of only these is a blank line, and at a line's edges they are stripped like spaces.
INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
#: A Markdown link's or image's address in its parentheses, with one level of parentheses
#: inside and an optional title (a pattern; :mod:`cleaner.features` reads links with it too).
MD_TARGET = r"\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"
#: Link text without a word character, an image without alt text among it (``[](url)``,
#: ``[![](logo.png)](url)``, ``[»](url)``).
_WORDLESS = rf"(?:[^\w\[\]]|!\[[^\w\[\]]*\]{MD_TARGET})*"
#: Markup that shows no words: a Markdown link or image with wordless text, a heading's leading
#: hashes, bold around invisible characters (``**&zwsp;**``), invisible characters. A line of only
#: these (a row of social icons as html2text writes it, an empty heading or paragraph) is a blank
#: line, as the page showed it: none of it is text to keep.
_EMPTY_MARKUP = re.compile(
    rf"!?\[{_WORDLESS}\](?:{MD_TARGET}|\[\d*\])|^#{{1,6}}(?=\s|$)"
    rf"|(\*\*|__)[\s{INVISIBLE}]*[{INVISIBLE}][\s{INVISIBLE}]*\1|[{INVISIBLE}]"
)


@dataclass(frozen=True)
class DocLines:
    """The lines of one document, as the classifier and the writer see them."""

    raw: list[str]  # as decoded, before repair
    text: list[str]  # repaired, stripped, inline cruft removed: what is written if kept ("" = blank)
    trimmed: list[str]  # the inline cruft removed from each line ("" when none)
    settled: list[bool]  # processing ``text`` again would give ``text`` (see :func:`resplit`)

    def __len__(self) -> int:
        return len(self.raw)


def split_lines(text: str) -> list[str]:
    """Split on the three newline conventions; a final newline ends the last line."""
    parts = _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _process(line: str) -> tuple[str, str]:
    """A repaired line stripped and trimmed: (text, cut)."""
    if "\n" in line or "\r" in line:
        line = _NEWLINE.sub(" ", line)
    line = line.strip()
    while line and (line[0] in INVISIBLE or line[-1] in INVISIBLE):
        line = line.strip(INVISIBLE).strip()
    if not line:
        return "", ""
    if (line[0] in "#[!" or line[:2] in ("**", "__")) and not _EMPTY_MARKUP.sub("", line).strip():
        return "", ""
    return trim(line)


def split_doc(text: str, normalize: bool = False) -> DocLines:
    """Split ``text`` and make the repaired, stripped, trimmed record of every line."""
    raw = split_lines(text)
    repaired, touched = repair_lines(raw, text, normalize)
    texts: list[str] = []
    cuts: list[str] = []
    for line in repaired:
        kept, cut = _process(line)
        texts.append(kept)
        cuts.append(cut)
    # A line ftfy did not touch has nothing ftfy would change, and nor has any part of it; a
    # line the trimmer did not cut stays uncut. Such a line comes out the same if processed again.
    settled = [not cut and i not in touched for i, cut in enumerate(cuts)]
    return DocLines(raw, texts, cuts, settled)


def resplit(lines: list[str], settled: list[bool], normalize: bool = False) -> DocLines:
    """What :func:`split_doc` gives for the text ``lines`` joined by newlines (each line an
    earlier output line, or "" for a blank), reusing ``settled`` lines as they are."""
    texts: list[str] = []
    cuts: list[str] = []
    flags: list[bool] = []
    for line, done in zip(lines, settled, strict=True):
        if done or not line:
            texts.append(line)
            cuts.append("")
            flags.append(True)
            continue
        repaired = repair_line(line, normalize)
        kept, cut = _process(repaired)
        texts.append(kept)
        cuts.append(cut)
        flags.append(not cut and _suspect_free(line, normalize))
    return DocLines(list(lines), texts, cuts, flags)
