"""Write: assemble the kept lines into the output text, and write files atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path


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


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` via a temporary file and a rename, so a killed run
    never leaves a partial output behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
