"""Read the labeled-lines corpus (format documented in ``corpus/README.md``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

KEEP = "keep"
DROP_REASONS = (
    "ad", "credit", "byline", "date", "share", "related", "newsletter", "nav", "legal",
    "comments", "meta",
)  # fmt: skip
LABELS = (KEEP, *DROP_REASONS)


class CorpusError(ValueError):
    """A corpus file that does not follow the format; the message names file and line."""


@dataclass(frozen=True)
class LabeledDoc:
    """One corpus document: its lines as scraped and a label per line (None for blank lines)."""

    name: str  # file name without extension, e.g. ``en-apwire-03``
    site: str  # ``<lang>-<site>``: documents of one site share boilerplate
    raw_lines: tuple[str, ...]
    labels: tuple[str | None, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.raw_lines) + "\n"


def parse_doc(path: Path) -> LabeledDoc:
    """Parse one ``.tsv`` corpus file; raises :class:`CorpusError` naming the bad line."""
    raw_lines: list[str] = []
    labels: list[str | None] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith("#"):
            continue
        if not line.strip():
            raw_lines.append(line)
            labels.append(None)
            continue
        label, sep, text = line.partition("\t")
        if not sep or label not in LABELS:
            raise CorpusError(f"{path}:{number}: expected '<label>\\t<text>' with a label in {LABELS}")
        raw_lines.append(text)
        labels.append(label if text.strip() else None)
    while raw_lines and labels[-1] is None and not raw_lines[-1].strip():
        raw_lines.pop()
        labels.pop()
    stem = path.stem
    site = stem.rsplit("-", 1)[0] if stem.rsplit("-", 1)[-1].isdigit() else stem
    return LabeledDoc(stem, site, tuple(raw_lines), tuple(labels))


def corpus_files(root: Path) -> list[Path]:
    """The ``.tsv`` documents under ``root`` (a folder, searched recursively, or one file)."""
    if root.is_file():
        return [root]
    return sorted(root.rglob("*.tsv"))


def load_docs(root: Path) -> list[LabeledDoc]:
    return [parse_doc(path) for path in corpus_files(root)]


def corpus_sha256(root: Path) -> str:
    """Digest of every corpus document (paths and bytes): the model card records it."""
    digest = hashlib.sha256()
    for path in corpus_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
