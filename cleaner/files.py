"""Plan a run: which input files go to which output paths.

``IN`` may be a folder (every file under it, recursively, except hidden files and folders,
whose names start with a dot) or a single file (``-`` for standard input is handled by the
command line). Outputs mirror the inputs' relative paths under ``OUT``.

Symbolic links to files are followed. Symbolic links to folders are not walked (like ``find``
and ``rsync``; following them invites loops and duplicates): each is reported as not cleaned,
so a run never skips data silently. A folder that cannot be listed is reported the same way.
The output folder is never walked, even when it lies inside the input folder; an output folder
that contains the input folder is refused, as outputs could then land on inputs.

A plan holds one relative path string per file, not open files or text, so planning a million
files costs about 100 MB and cleaning them can start at once.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


class UsageError(ValueError):
    """A command line that cannot be run as given (exit status 2)."""


@dataclass(frozen=True)
class Job:
    src: Path
    dst: Path
    rel: str = ""  # the path relative to the plan's folders ("" when the plan is one file)
    label: str = ""  # how reports name the input, when not by ``src`` (standard input: "-")

    @property
    def name(self) -> str:
        return self.label or str(self.src)


@dataclass(frozen=True)
class Skipped:
    """A path under ``IN`` that the plan cannot clean, and why (reported as a failure)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Plan:
    """Every file to clean, as paths relative to ``src`` (``""`` when ``src`` is the file)."""

    src: Path
    dst: Path
    files: list[str]
    skipped: list[Skipped] = field(default_factory=list)
    label: str = ""  # for a plan of one file: how reports name it (see Job.label)

    def __len__(self) -> int:
        return len(self.files)

    def __iter__(self) -> Iterator[Job]:
        for rel in self.files:
            if rel:
                yield Job(self.src / rel, self.dst / rel, rel)
            else:
                yield Job(self.src, self.dst, label=self.label)


def _walk(root: Path, skip: Path) -> tuple[list[str], list[Skipped]]:
    files: list[str] = []
    skipped: list[Skipped] = []

    def unlistable(exc: OSError) -> None:
        skipped.append(Skipped(Path(exc.filename or root), f"cannot list folder: {exc.strerror}"))

    for folder, dirs, names in os.walk(root, onerror=unlistable, followlinks=False):
        here = Path(folder)
        walk = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            path = here / d
            if path.is_symlink():
                skipped.append(Skipped(path, "symbolic link to a folder, not followed (clean its target)"))
            elif path.resolve() != skip:
                walk.append(d)
        dirs[:] = walk
        rel = here.relative_to(root)
        files.extend(str(rel / name) for name in sorted(names) if not name.startswith("."))
    return files, skipped


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def plan(src: Path, dst: Path) -> Plan:
    """The files to clean for ``clean SRC DST``; raises :class:`UsageError`."""
    try:
        mode = src.stat().st_mode
    except OSError as exc:
        raise UsageError(f"{src}: no such file or folder ({exc.strerror})") from exc
    if stat.S_ISREG(mode):
        if dst.is_dir():
            dst = dst / src.name
        if dst.exists() and os.path.samefile(src, dst):
            raise UsageError(f"{dst}: output is the input file")
        return Plan(src, dst, [""])
    if not stat.S_ISDIR(mode):
        raise UsageError(f"{src}: not a file or folder (for a pipe, use - and standard input)")
    if dst.exists() and not dst.is_dir():
        raise UsageError(f"{dst}: input is a folder, so the output must be a folder, not a file")
    src_real, dst_real = src.resolve(), dst.resolve()
    if dst_real == src_real:
        raise UsageError(f"{dst}: output folder is the input folder; the inputs would be overwritten")
    if _is_inside(src_real, dst_real):
        raise UsageError(f"{dst}: output folder contains the input folder; outputs could overwrite inputs")
    files, skipped = _walk(src, dst_real)
    return Plan(src, dst, files, skipped)


def shard(planned: Plan, index: int, count: int) -> Plan:
    """The part ``index`` (0-based) of ``count`` of a plan, for job arrays (``--shard i/N``).

    A file belongs to the shard given by a hash of its path relative to ``IN``, so the split
    does not depend on which other files exist: adding files to ``IN`` never moves a file to
    another shard, and every shard of the same ``N`` sees the same split on every machine.
    Paths the plan cannot clean are reported by the shard their path falls in."""
    if not 0 <= index < count:
        raise UsageError(f"--shard {index}/{count}: the shard must be 0 to {count - 1}")
    files = [rel for rel in planned.files if shard_of(rel, count) == index]
    skipped = [s for s in planned.skipped if shard_of(str(s.path), count) == index]
    return Plan(planned.src, planned.dst, files, skipped)


def shard_of(rel: str, count: int) -> int:
    """The shard of a relative path: its BLAKE2b digest modulo ``count`` (stable everywhere)."""
    digest = hashlib.blake2b(rel.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count
