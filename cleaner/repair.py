"""Repair: fix what is broken in the text (mojibake, HTML entities, control characters).

We repair, we do not rewrite: curly quotes, ligatures, full-width characters and the Unicode
normal form stay as the author wrote them (the same choice as datatrove's and NeMo Curator's
ftfy steps), so downstream models see real text. ``normalize=True`` turns on ftfy's full
default normalisation instead. Repair runs per line, after splitting, so a line's repaired
text depends on that line alone.
"""

from __future__ import annotations

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


def repair_line(line: str, normalize: bool = False) -> str:
    """Return ``line`` with mojibake, HTML entities and control characters repaired."""
    if line.isascii() and "&" not in line and line.isprintable():
        return line  # nothing ftfy changes: no non-ASCII, no entity, no control character
    return ftfy.fix_text(line, NORMALIZE_CONFIG if normalize else REPAIR_CONFIG)
