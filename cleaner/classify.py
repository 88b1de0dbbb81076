"""Classify: a keep/drop decision and its probability for every line of a batch of documents.

Blank lines pass through; the non-blank lines of all documents of a batch are scored together
(one feature matrix, one model call), which is what makes cleaning many small documents fast,
then smoothed (:mod:`cleaner.smooth`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.crossdoc import LineCounts
from cleaner.features import UNSPACED_RANGES, Batch, LineStats, images_only, line_keys, line_stats
from cleaner.lines import DocLines
from cleaner.model import LineModel
from cleaner.repeats import later_copies, paragraph_keys
from cleaner.smooth import smooth
from cleaner.unwrap import unit_texts, units

CONTENT = "content"
BETWEEN_CONTENT = "content (between content lines)"
BLANK = "blank"
REPEAT = "repeat"
IMAGE = "image"

#: Lines longer than this are counted as long for smoothing without splitting them into words.
_LONG_LINE = 300
_UNSPACED = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in UNSPACED_RANGES) + "]")


@dataclass(frozen=True)
class Decision:
    """What happens to one input line, and why."""

    index: int  # 0-based line number in the input
    raw: str  # the line as decoded
    text: str  # the line as written if kept (repaired, stripped, trimmed)
    keep: bool
    p_keep: float  # the model's P(keep); NaN for blank lines
    reason: str  # "content", a cruft kind ("ad", "byline", ...), "repeat", "image" or "blank"
    trimmed: str = ""  # inline cruft cut from a kept line
    scored_in: int = 0  # the cleaning pass (1, 2, ...) whose decision this is; 0 for blank lines


@dataclass(frozen=True)
class Scored:
    """One pass over one document: per line, kept or not, P(keep) (NaN if blank), rescued
    (:mod:`cleaner.smooth`), dropped as a repeat (:mod:`cleaner.repeats`)."""

    keep: np.ndarray
    p_keep: np.ndarray
    rescued: np.ndarray
    repeat: np.ndarray


@dataclass(frozen=True)
class Layout:
    """Where the lines of one document are in a batch: each non-blank line (``body``, indices
    into the document) belongs to a row (``row``, counted from the document's first row); the
    first line of each row is in ``heads``. A row is a line, or a paragraph a renderer wrapped
    over several lines (:mod:`cleaner.unwrap`)."""

    body: np.ndarray
    row: np.ndarray
    heads: np.ndarray


def make_batch(
    docs: Sequence[DocLines], counts: LineCounts | None = None, join_broken: bool = True
) -> tuple[Batch, list[Layout]]:
    """The batch of the units of every document (non-blank lines, with wrapped paragraphs and,
    with ``join_broken``, broken sentences joined: :func:`cleaner.unwrap.units`), and where each
    document's lines are in it; with ``counts``, each unit carries in how many other documents
    of the run it occurs."""
    texts: list[str] = []
    before: list[bool] = []
    after: list[bool] = []
    layouts: list[Layout] = []
    starts = [0]
    for doc in docs:
        lines = doc.text
        found = units(lines, join_broken)
        last = len(lines) - 1
        texts.extend(unit_texts(lines, found))
        before.extend(u[0] == 0 or not lines[u[0] - 1] for u in found)
        after.extend(u[-1] == last or not lines[u[-1] + 1] for u in found)
        body = [i for u in found for i in u]
        row = [k for k, u in enumerate(found) for _ in u]
        heads = [u[0] for u in found]
        layouts.append(Layout(*(np.array(x, dtype=np.int64) for x in (body, row, heads))))
        starts.append(len(texts))
    others = counts.others(line_keys(texts)) if counts is not None else None
    batch = Batch(
        texts, np.array(starts, dtype=np.int64), np.array(before, bool), np.array(after, bool), others
    )
    return batch, layouts


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """Words per line (whitespace-separated, as smoothing's and repeats' bounds were set), each
    character of a script without spaces counted as one, as the features count it, so a Chinese
    paragraph is long for smoothing and repeats too."""
    return np.fromiter(
        (_count_words(t) if len(t) < _LONG_LINE else _LONG_LINE for t in texts),
        dtype=np.int64,
        count=len(texts),
    )


def _count_words(text: str) -> int:
    if text.isascii():
        return len(text.split())
    rest, unspaced = _UNSPACED.subn(" ", text)
    return len(rest.split()) + unspaced


class Memo:
    """What is known of line texts already seen in this batch: their text scores, word counts,
    paragraph keys (:mod:`cleaner.repeats`) and :class:`~cleaner.features.LineStats`, which
    depend on the text alone. Each cleaning pass sees the lines of the last one minus the dropped
    ones, so later passes compute only the figures that depend on the document (position,
    neighbours, repeats, language)."""

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}
        self._scores = np.zeros(0)
        self._words = np.zeros(0, dtype=np.int64)
        self._keys: list[str] = []
        self._stats: LineStats | None = None

    def lookup(
        self, model: LineModel, texts: Sequence[str]
    ) -> tuple[np.ndarray, LineStats, np.ndarray, list[str]]:
        """The text scores, line stats, word counts (:func:`word_counts`) and paragraph keys
        (:func:`~cleaner.repeats.paragraph_keys`) of ``texts``, computing those not seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._rows))
        if missing or self._stats is None:
            base = len(self._rows)
            self._rows.update((t, base + k) for k, t in enumerate(missing))
            self._scores = np.concatenate([self._scores, model.text_scores(missing)])
            words = word_counts(missing)
            self._words = np.concatenate([self._words, words])
            self._keys += paragraph_keys(missing, words)
            fresh = line_stats(missing)
            self._stats = fresh if self._stats is None else LineStats.concat([self._stats, fresh])
        rows = np.fromiter((self._rows[t] for t in texts), dtype=np.int64, count=len(texts))
        return self._scores[rows], self._stats.take(rows), self._words[rows], [self._keys[r] for r in rows]


def score(
    model: LineModel,
    docs: Sequence[DocLines],
    threshold: float,
    counts: LineCounts | None = None,
    memo: Memo | None = None,
    join_broken: bool = True,
) -> list[Scored]:
    """Decide every line of every document in one batch; ``memo`` carries what is known of
    line texts from earlier passes over the same batch; ``join_broken``: see
    :func:`cleaner.unwrap.units`."""
    batch, layouts = make_batch(docs, counts, join_broken)
    if memo is not None:
        scores, stats, words, keys = memo.lookup(model, batch.texts)
    else:
        scores, stats, words = None, None, word_counts(batch.texts)
        keys = paragraph_keys(batch.texts, words)
    p, text_scores = model.predict(batch, scores, stats)
    keep, rescued = smooth(p, text_scores, words, batch.doc_ids, threshold, batch.others)
    repeat = later_copies(keys, keep, batch.doc_ids)
    keep &= ~repeat & ~images_only(batch.texts)
    out = []
    for j, (doc, layout) in enumerate(zip(docs, layouts, strict=True)):
        rows = batch.doc_starts[j] + layout.row
        k = np.zeros(len(doc), dtype=bool)
        pk = np.full(len(doc), math.nan)
        r = np.zeros(len(doc), dtype=bool)
        rep = np.zeros(len(doc), dtype=bool)
        k[layout.body], pk[layout.body], r[layout.body] = keep[rows], p[rows], rescued[rows]
        rep[layout.body] = repeat[rows]
        out.append(Scored(k, pk, r, rep))
    return out
