"""Repair: fix what is broken in the text (mojibake, HTML entities, control characters).

We repair, we do not rewrite: curly quotes, ligatures, full-width characters and the Unicode
normal form stay as the author wrote them (the same choice as datatrove's and NeMo Curator's
ftfy steps), so downstream models see real text. ``normalize=True`` turns on ftfy's full
default normalisation instead. Repair runs per line, after splitting, so a line's repaired
text depends on that line alone.

**Fast path.** ftfy costs about 10 µs a line even when it changes nothing, more than the whole
rest of cleaning, so lines that ftfy provably leaves alone skip it. With :data:`REPAIR_CONFIG`
ftfy changes a line only through

* HTML entities, which need ``&``;
* its control-character fixes (C0 and C1 controls, terminal escapes, surrogates, BOM and the
  other characters of ``ftfy.chardata.CONTROL_CHARS``);
* mojibake repair, which runs only when ``ftfy.badness.is_bad`` matches the line. Every branch
  of that expression (ftfy 6.3) needs two adjacent non-ASCII characters or one of the few
  characters in ``_TRIGGERS`` (``Ã Â Œ œ Ø Ù``, Cyrillic ``В Г Р С``, Greek ``Β Γ Ξ Ο``, the
  only ones its patterns pair with ASCII).

:data:`_SUSPECT` matches any of these, so a line it does not match is returned as it is; every
other line goes through ftfy. Tests check the equality on the corpus and by property tests,
and the fast path is used only with the ftfy releases it was derived for.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

import ftfy

#: Fix encodings, entities and controls; keep typography (quotes, ligatures, widths, NFC/NFD).
REPAIR_CONFIG = ftfy.TextFixerConfig(
    unescape_html="auto",
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)

#: ftfy's full defaults (NFC, straight quotes, half-width, no ligatures), for ``--normalize``.
NORMALIZE_CONFIG = ftfy.TextFixerConfig(fix_line_breaks=False, explain=False)

#: ftfy releases whose ``is_bad`` patterns the fast path was derived from (see module docstring).
FAST_PATH_FTFY = ("6.3.",)

_TRIGGERS = "\u00c2\u00c3\u0152\u0153\u00d8\u00d9\u0412\u0413\u0420\u0421\u0392\u0393\u039e\u039f"
_CONTROLS = "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u206a-\u206f\ufeff\ufff9-\ufffc\ud800-\udfff"
_SUSPECT = re.compile(f"[&{_CONTROLS}{_TRIGGERS}]|[^\\x00-\\x7f]{{2}}")
#: With ``--normalize`` any non-ASCII character may change (NFC, quotes, widths).
_SUSPECT_NORMALIZE = re.compile(f"[&{_CONTROLS}]|[^\\x00-\\x7f]")
_FAST = ftfy.__version__.startswith(FAST_PATH_FTFY)


def _suspect(normalize: bool) -> re.Pattern[str] | None:
    if normalize:
        return _SUSPECT_NORMALIZE
    return _SUSPECT if _FAST else None


def suspect_free(line: str, normalize: bool = False) -> bool:
    """True when the fast path vouches that ftfy leaves ``line`` as it is."""
    suspect = _suspect(normalize)
    return suspect is not None and suspect.search(line) is None


def repair_line(line: str, normalize: bool = False) -> str:
    """Return ``line`` with mojibake, HTML entities and control characters repaired."""
    if suspect_free(line, normalize):
        return line
    return ftfy.fix_text(line, NORMALIZE_CONFIG if normalize else REPAIR_CONFIG)


def _break_width(text: str) -> int | None:
    """1 when every line break is ``\\n``, 2 when every one is ``\\r\\n``, else None."""
    returns = text.count("\r")
    if returns == 0:
        return 1
    return 2 if returns == text.count("\r\n") == text.count("\n") else None


def repair_lines(lines: Sequence[str], text: str, normalize: bool = False) -> tuple[list[str], set[int]]:
    """Repair every line of ``text``, already split into ``lines`` (on ``\\n``, ``\\r\\n``, ``\\r``);
    also return the numbers of the lines that went through ftfy (all others are unchanged).

    Scans go over the whole text, not line by line: the fast-path patterns never span a line
    break, so each match names one line, which goes through ftfy; the next scan starts at the
    line after it. Most documents need one scan and no ftfy at all.
    """
    suspect = _suspect(normalize)
    width = _break_width(text)
    config = NORMALIZE_CONFIG if normalize else REPAIR_CONFIG
    if suspect is None or width is None:  # no fast path, or line breaks of several widths
        touched = {i for i, line in enumerate(lines) if suspect is None or suspect.search(line)}
        return [
            ftfy.fix_text(line, config) if i in touched else line for i, line in enumerate(lines)
        ], touched
    out = list(lines)
    touched = set()
    starts = [0, *accumulate(len(line) + width for line in lines)]
    match = suspect.search(text)
    while match is not None:
        line_no = bisect_right(starts, match.start()) - 1
        out[line_no] = ftfy.fix_text(lines[line_no], config)
        touched.add(line_no)
        match = suspect.search(text, starts[line_no + 1])
    return out, touched
