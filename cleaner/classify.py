"""Classify: a keep/drop decision and its probability for every line of a batch of documents.

Blank lines pass through; the non-blank lines of all documents of a batch are scored together
(one feature matrix, one model call), which is what makes cleaning many small documents fast,
then smoothed (:mod:`cleaner.smooth`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleaner.crossdoc import LineCounts
from cleaner.features import Batch, line_keys
from cleaner.lines import DocLines
from cleaner.model import LineModel
from cleaner.smooth import smooth

CONTENT = "content"
BETWEEN_CONTENT = "content (between content lines)"
BLANK = "blank"

#: Lines longer than this are counted as long for smoothing without splitting them into words.
_LONG_LINE = 300


@dataclass(frozen=True)
class Decision:
    """What happens to one input line, and why."""

    index: int  # 0-based line number in the input
    raw: str  # the line as decoded
    text: str  # the line as written if kept (repaired, stripped, trimmed)
    keep: bool
    p_keep: float  # the model's P(keep); NaN for blank lines
    reason: str  # "content", a cruft kind ("ad", "byline", ...) or "blank"
    trimmed: str = ""  # inline cruft cut from a kept line


@dataclass(frozen=True)
class Scored:
    """One pass over one document: per line, kept or not, P(keep) (NaN if blank), rescued."""

    keep: np.ndarray
    p_keep: np.ndarray
    rescued: np.ndarray


def make_batch(docs: Sequence[DocLines], counts: LineCounts | None = None) -> tuple[Batch, list[np.ndarray]]:
    """The batch of all non-blank lines, and for each document the indices of those lines;
    with ``counts``, each line carries in how many other documents of the run it occurs."""
    texts: list[str] = []
    before: list[bool] = []
    after: list[bool] = []
    where: list[np.ndarray] = []
    starts = [0]
    for doc in docs:
        lines = doc.text
        body = [i for i, t in enumerate(lines) if t]
        last = len(lines) - 1
        texts.extend(lines[i] for i in body)
        before.extend(i == 0 or not lines[i - 1] for i in body)
        after.extend(i == last or not lines[i + 1] for i in body)
        where.append(np.array(body, dtype=np.int64))
        starts.append(len(texts))
    others = counts.others(line_keys(texts)) if counts is not None else None
    batch = Batch(
        texts, np.array(starts, dtype=np.int64), np.array(before, bool), np.array(after, bool), others
    )
    return batch, where


def word_counts(texts: Sequence[str]) -> np.ndarray:
    return np.fromiter(
        (len(t.split()) if len(t) < _LONG_LINE else _LONG_LINE for t in texts),
        dtype=np.int64,
        count=len(texts),
    )


def score(
    model: LineModel,
    docs: Sequence[DocLines],
    threshold: float,
    counts: LineCounts | None = None,
    known: dict[str, float] | None = None,
) -> list[Scored]:
    """Decide every line of every document in one batch. ``known`` maps line texts to their
    text scores, which depend on the text alone: later passes over the same lines reuse them."""
    batch, where = make_batch(docs, counts)
    scores = None
    if known is not None:
        missing = list(dict.fromkeys(t for t in batch.texts if t not in known))
        known.update(zip(missing, model.text_scores(missing).tolist(), strict=True))
        scores = np.fromiter((known[t] for t in batch.texts), dtype=np.float64, count=len(batch.texts))
    p, text_scores = model.predict(batch, scores)
    keep, rescued = smooth(p, text_scores, word_counts(batch.texts), batch.doc_ids, threshold)
    out = []
    for j, (doc, body) in enumerate(zip(docs, where, strict=True)):
        lo, hi = batch.doc_starts[j], batch.doc_starts[j + 1]
        k = np.zeros(len(doc), dtype=bool)
        pk = np.full(len(doc), math.nan)
        r = np.zeros(len(doc), dtype=bool)
        k[body], pk[body], r[body] = keep[lo:hi], p[lo:hi], rescued[lo:hi]
        out.append(Scored(k, pk, r))
    return out
