"""Train and evaluate the line model on labeled lines (``corpus/``).

Training is deterministic (fixed seeds, single-threaded estimators, sorted inputs): the same
corpus and library versions give the same model. The text model's scores that the context
model learns from are out-of-fold (grouped by site), so the context model learns how much to
trust text scores on sites the text model has not seen, as it will be used.

Each training document is also seen a second time as its own clean output (only the kept
lines, all labeled keep): cleaning runs to a fixed point, so the model must keep a clean
article whole when it sees one.
"""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from cleaner.corpus import KEEP, LabeledDoc, corpus_sha256, load_docs
from cleaner.features import context_matrix, doc_matrix, line_matrix, text_matrix
from cleaner.lines import to_lines
from cleaner.model import LineModel

SEED = 0
DEFAULT_THRESHOLD = 0.5
TEXT_C = 4.0
FOLDS = 5


@dataclass
class _Doc:
    """A training document in model form: non-blank lines, their flags and labels."""

    site: str
    texts: list[str]
    blank_before: list[bool]
    blank_after: list[bool]
    labels: list[str]


def _prepare(doc: LabeledDoc) -> _Doc:
    lines = to_lines(doc.text)
    if len(lines) != len(doc.labels):
        raise ValueError(f"{doc.name}: {len(lines)} lines after splitting, {len(doc.labels)} labels")
    texts, before, after, labels = [], [], [], []
    for line, label in zip(lines, doc.labels, strict=True):
        if line.blank or label is None:
            continue
        i = line.index
        texts.append(line.text)
        before.append(i == 0 or lines[i - 1].blank)
        after.append(i == len(lines) - 1 or lines[i + 1].blank)
        labels.append(label)
    return _Doc(doc.site, texts, before, after, labels)


def _clean_version(doc: _Doc) -> _Doc | None:
    """The document as ``clean`` would output it if every decision were right."""
    keep = [i for i, label in enumerate(doc.labels) if label == KEEP]
    if not keep or len(keep) == len(doc.labels):
        return None
    return _Doc(
        doc.site,
        [doc.texts[i] for i in keep],
        [True if j == 0 else doc.blank_before[i] for j, i in enumerate(keep)],
        [True if j == len(keep) - 1 else doc.blank_after[i] for j, i in enumerate(keep)],
        [KEEP] * len(keep),
    )


def _context_features(docs: list[_Doc], scores: np.ndarray) -> np.ndarray:
    blocks, start = [], 0
    for doc in docs:
        end = start + len(doc.texts)
        lines = line_matrix(doc.texts, doc.blank_before, doc.blank_after)
        blocks.append(context_matrix(lines, doc_matrix(lines, doc.texts), scores[start:end]))
        start = end
    return np.vstack(blocks)


def _text_model() -> LogisticRegression:
    return LogisticRegression(C=TEXT_C, max_iter=2000, class_weight="balanced", random_state=SEED)


def fit(docs: list[LabeledDoc], threshold: float = DEFAULT_THRESHOLD) -> LineModel:
    """Fit the three estimators of :class:`LineModel` on labeled documents.

    Runs single-threaded: parallel histogram sums can differ in the last bit between runs,
    and the model must be reproducible byte for byte.
    """
    with threadpool_limits(limits=1):
        return _fit(docs, threshold)


def _fit(docs: list[LabeledDoc], threshold: float) -> LineModel:
    prepared = [_prepare(doc) for doc in sorted(docs, key=lambda d: d.name)]
    prepared = [doc for doc in prepared if doc.texts]
    prepared += [clean for clean in map(_clean_version, prepared) if clean is not None]
    texts = [t for doc in prepared for t in doc.texts]
    labels = np.array([label for doc in prepared for label in doc.labels])
    sites = np.array([doc.site for doc in prepared for _ in doc.texts])
    y = (labels == KEEP).astype(int)
    hashed = text_matrix(texts)

    oof = np.zeros(len(texts))
    folds = min(FOLDS, len(set(sites)))
    if folds >= 2:
        for train_idx, test_idx in GroupKFold(n_splits=folds).split(hashed, y, sites):
            model = _text_model().fit(hashed[train_idx], y[train_idx])
            oof[test_idx] = model.decision_function(hashed[test_idx])
    text = _text_model().fit(hashed, y)
    if folds < 2:
        oof = text.decision_function(hashed)

    context = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.08, max_leaf_nodes=31, l2_regularization=1.0,
        early_stopping=False, random_state=SEED,
    )  # fmt: skip
    context.fit(_context_features(prepared, oof), y)

    drop = labels != KEEP
    reason = LogisticRegression(C=TEXT_C, max_iter=2000, random_state=SEED)
    reason.fit(sparse.csr_matrix(hashed[drop]), labels[drop])
    return LineModel(text, context, reason, threshold)


@dataclass(frozen=True)
class Scores:
    """Line-level precision, recall and F1 of the keep and drop decisions."""

    keep: tuple[float, float, float]
    drop: tuple[float, float, float]
    lines: int
    docs: int

    def as_dict(self) -> dict[str, Any]:
        names = ("precision", "recall", "f1")
        return {
            "keep": dict(zip(names, map(_round, self.keep), strict=True)),
            "drop": dict(zip(names, map(_round, self.drop), strict=True)),
            "lines": self.lines,
            "docs": self.docs,
        }


def _round(x: float) -> float:
    return round(float(x), 4)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(cleaner: Any, docs: list[LabeledDoc]) -> Scores:
    """Score a :class:`cleaner.api.Cleaner` end to end (smoothing and passes included)."""
    counts: Counter[tuple[bool, bool]] = Counter()
    for doc in docs:
        for decision, label in zip(cleaner.explain(doc.text), doc.labels, strict=True):
            if label is not None and decision.text:
                counts[(label == KEEP, decision.keep)] += 1
    tk, fk, fd, td = (
        counts[(True, True)],
        counts[(False, True)],
        counts[(True, False)],
        counts[(False, False)],
    )
    return Scores(_prf(tk, fk, fd), _prf(td, fd, fk), sum(counts.values()), len(docs))


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for package in ("scikit-learn", "numpy", "scipy", "joblib", "ftfy", "stop-words", "charset-normalizer"):
        found[package] = version(package)
    return found


def train_corpus(corpus: Path, threshold: float = DEFAULT_THRESHOLD) -> tuple[LineModel, dict[str, Any]]:
    """Train on ``corpus/train`` and score on ``corpus/heldout``; returns the model and its card."""
    from cleaner.api import Cleaner

    train_docs = load_docs(corpus / "train")
    heldout_docs = load_docs(corpus / "heldout") if (corpus / "heldout").is_dir() else []
    model = fit(train_docs, threshold)
    card: dict[str, Any] = {
        "corpus_sha256": corpus_sha256(corpus),
        "seed": SEED,
        "versions": versions(),
        "train": {"docs": len(train_docs), "lines": sum(1 for d in train_docs for x in d.labels if x)},
        "how": "cleaner train corpus --out trained",
    }
    if heldout_docs:
        card["heldout"] = evaluate(Cleaner(model=model), heldout_docs).as_dict()
    return model, card
