"""Write: assemble the kept lines into the output text (files are written by :mod:`cleaner.run`,
atomically)."""

from __future__ import annotations

from collections.abc import Sequence


def render_lines(texts: Sequence[str], keep: Sequence[bool]) -> tuple[list[str], list[int]]:
    """The output lines, and for each the index of the input line it comes from (-1 for a blank).

    Kept lines in order; a blank input line between kept lines becomes one blank output line
    (runs collapse, none at the ends); dropped lines do not end a paragraph.
    """
    out: list[str] = []
    source: list[int] = []
    pending_blank = False
    for i, text in enumerate(texts):
        if not text:
            pending_blank = bool(out)
        elif keep[i]:
            if pending_blank:
                out.append("")
                source.append(-1)
            out.append(text)
            source.append(i)
            pending_blank = False
    return out, source


def join_lines(lines: Sequence[str]) -> str:
    """Lines as UTF-8-ready text with a final newline; no lines gives the empty text."""
    return "\n".join(lines) + "\n" if lines else ""
