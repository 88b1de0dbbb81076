"""Write: assemble the kept lines into the output text, and write files atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cleaner.classify import Decision


def render(decisions: Iterable[Decision]) -> str:
    """Kept lines in order; blank lines of the input kept, runs collapsed to one, none at the
    ends; a final newline unless nothing is kept (then the output is empty)."""
    out: list[str] = []
    pending_blank = False
    for decision in decisions:
        if decision.keep:
            if pending_blank:
                out.append("")
            out.append(decision.text)
            pending_blank = False
        elif not decision.text:  # a blank input line (dropped lines do not end a paragraph)
            pending_blank = bool(out)
    return "\n".join(out) + "\n" if out else ""


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
