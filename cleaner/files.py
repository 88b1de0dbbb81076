"""Plan a run: which input files go to which output paths.

``IN`` may be a folder (every regular file under it, recursively, except hidden files and
folders, whose names start with a dot), a single file, or ``-`` for standard input. Outputs
mirror the inputs' relative paths under ``OUT``. Symbolic links are followed when they lead
to files; the output folder is never walked, even when it lies inside the input folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class UsageError(ValueError):
    """A command line that cannot be run as given (exit status 2)."""


@dataclass(frozen=True)
class Job:
    src: Path
    dst: Path


def _walk(root: Path, skip: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name


def plan(src: Path, dst: Path) -> list[Job]:
    """The (input, output) pairs for ``clean SRC DST``; raises :class:`UsageError`."""
    if not src.exists():
        raise UsageError(f"{src}: no such file or folder")
    if src.is_file():
        if dst.is_dir():
            dst = dst / src.name
        if dst.exists() and dst.resolve() == src.resolve():
            raise UsageError(f"{dst}: output is the input file")
        return [Job(src, dst)]
    if dst.exists() and not dst.is_dir():
        raise UsageError(f"{dst}: input is a folder, so the output must be a folder, not a file")
    src_real, dst_real = src.resolve(), dst.resolve()
    if dst_real == src_real:
        raise UsageError(f"{dst}: output folder is the input folder; the inputs would be overwritten")
    return [Job(path, dst / path.relative_to(src)) for path in _walk(src, dst_real)]
