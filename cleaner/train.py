"""Train and evaluate the line model on labeled lines (``corpus/``).

Training is deterministic (fixed seeds, single-threaded estimators, sorted inputs): the same
corpus, library versions and BLAS kernel give the same model, byte for byte. The kernel matters
because OpenBLAS picks one by CPU when it loads (``SkylakeX`` where AVX-512 is, ``Haswell``
on AVX2 machines), and the text models' solver (L-BFGS) sums through it: the last bits differ,
and the trees fitted on the text scores split elsewhere (measured: held-out keep F1 0.9201 and
0.9198 from the same corpus on two CPUs). The card records the kernel (:func:`blas_kernel`);
``OPENBLAS_CORETYPE=<kernel>`` in the environment makes OpenBLAS use it on any x86-64 CPU that
can run it.

The text model's scores that the context model learns from are out-of-fold (grouped by site),
so the context model learns how much to trust text scores on sites the text model has not
seen, as it will be used.

Each training document is also seen as a few altered copies (:func:`_variants`): with part
or most of its cruft gone, as a scraper that took part of the page or a later cleaning pass
sees it, with its blank lines removed, as some renderers write pages, and as the model's own
later cleaning passes see it (:func:`_pass_copies`: training fits two more models for that).
"""

from __future__ import annotations

import dataclasses
import platform
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_info, threadpool_limits

from cleaner.api import Cleaner, Config
from cleaner.classify import Decision, make_batch
from cleaner.corpus import KEEP, LabeledDoc, corpus_sha256, load_docs
from cleaner.features import (
    context_matrix,
    doc_matrix,
    line_keys,
    line_matrix,
    line_stats,
    stack_matrix,
    text_matrix,
)
from cleaner.lines import DocLines, split_doc
from cleaner.model import LineModel
from cleaner.write import join_lines, render_lines

SEED = 0
DEFAULT_THRESHOLD = 0.5
TEXT_C = 4.0
FOLDS = 5
#: Simulated runs (see :func:`_simulate_runs`): documents cleaned alone, and syndicated ones.
ALONE_SHARE = 0.3
SYNDICATED_SHARE = 0.2
#: Stacked models, each reading the P(keep) of the one before in windows.
STACK_STAGES = 2
#: Training copies made of every document (see :func:`_variants` and :func:`_pass_copies`).
AUGMENT = ("partial", "mostly", "flat", "passes")
#: The context model: gradient-boosted trees kept small and smooth, so they generalise from our
#: corpus to pages rendered by other tools.
CONTEXT_PARAMS: dict[str, Any] = {
    "max_iter": 100, "learning_rate": 0.15, "max_leaf_nodes": 63, "min_samples_leaf": 40,
    "l2_regularization": 1.0,
}  # fmt: skip
#: The stacked model over the first model's P(keep) in windows: smaller still.
STACK_PARAMS: dict[str, Any] = {
    "max_iter": 60, "learning_rate": 0.15, "max_leaf_nodes": 15, "min_samples_leaf": 50,
    "l2_regularization": 1.0,
}  # fmt: skip


@dataclass(frozen=True)
class _Doc:
    """A training document: its lines as cleaning sees them, a label per line (None if blank)."""

    site: str
    lines: DocLines
    labels: list[str | None]
    others: list[float] | None = None  # simulated cross-document counts (see _simulate_runs)


def _prepare(doc: LabeledDoc) -> _Doc:
    lines = split_doc(doc.text)
    if len(lines) != len(doc.labels):
        raise ValueError(f"{doc.name}: {len(lines)} lines after splitting, {len(doc.labels)} labels")
    labels = [label if text else None for text, label in zip(lines.text, doc.labels, strict=True)]
    return _Doc(doc.site, lines, labels)


def _variant(doc: _Doc, keep: list[bool], blank_lines: bool = True) -> _Doc:
    """The document with only the ``keep`` lines, as ``clean`` would write them (blank lines
    between paragraphs, or none at all), labels carried over."""
    lines, source = render_lines(doc.lines.text, keep)
    if not blank_lines:
        lines = [line for line, s in zip(lines, source, strict=True) if s >= 0]
        source = [s for s in source if s >= 0]
    others = None if doc.others is None else [0.0 if s < 0 else doc.others[s] for s in source]
    labels = [None if s < 0 else doc.labels[s] for s in source]
    return _Doc(doc.site, split_doc(join_lines(lines)), labels, others)


def _variants(doc: _Doc, rng: np.random.Generator) -> list[_Doc]:
    """Training copies of a document that teach what one corpus document cannot show:

    * ``partial``: about half of its cruft removed at random, as a scraper that took only part
      of the page leaves it;
    * ``mostly``: nine tenths of its cruft removed, as a second cleaning pass sees a page
      (cleaning runs to a fixed point, so the model must keep on a nearly clean page what it
      kept on the whole one, or passes cascade);
    * ``flat``: every blank line removed, as tools that write one block per line leave pages.

    A fully clean copy (all kept) was tried and left out: the model learned to keep whatever
    stands among clean paragraphs, credits and ad markers included.
    """
    content = [label == KEEP for label in doc.labels]
    out = []
    for name, cruft_kept in (("partial", 0.5), ("mostly", 0.1)):
        if name in AUGMENT:
            draws = rng.random(len(content))
            out.append(_variant(doc, [c or d < cruft_kept for c, d in zip(content, draws, strict=True)]))
    if "flat" in AUGMENT:
        out.append(_variant(doc, [True] * len(content), blank_lines=False))
    return out


def _simulate_runs(docs: list[_Doc], rng: np.random.Generator) -> list[_Doc]:
    """Give each line the cross-document count a real run would give it (:mod:`cleaner.crossdoc`).

    Most documents are counted as one run of the whole training set, where a site's chrome
    repeats across its pages and stock phrases ("Advertisement", "Share") across sites; the
    rest are cleaned alone (counts 0). A share of the counted ones is syndicated: its article
    appears on one to three other pages, so its content lines repeat too and the model learns
    that repetition alone does not make a line cruft.
    """
    keys = [line_keys([t for t in doc.lines.text if t]) for doc in docs]
    distinct, counts = np.unique(np.concatenate([np.unique(k) for k in keys] or [[]]), return_counts=True)
    out = []
    for doc, doc_keys in zip(docs, keys, strict=True):
        mode = rng.random()
        found = (
            counts[np.searchsorted(distinct, doc_keys)] - 1.0
            if mode >= ALONE_SHARE
            else np.zeros(len(doc_keys))
        )
        if mode >= 1.0 - SYNDICATED_SHARE:
            content = np.array([label == KEEP for label in doc.labels if label is not None])
            found = found + content * rng.integers(1, 4)
        values = iter(found.tolist())
        out.append(dataclasses.replace(doc, others=[next(values) if t else 0.0 for t in doc.lines.text]))
    return out


def _text_model() -> LogisticRegression:
    return LogisticRegression(C=TEXT_C, max_iter=2000, class_weight="balanced", random_state=SEED)


def _context_model() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(**CONTEXT_PARAMS, early_stopping=False, random_state=SEED)


def _stack_model() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(**STACK_PARAMS, early_stopping=False, random_state=SEED)


def _out_of_fold(
    fit: Callable[[np.ndarray], Any],
    predict: Callable[[Any, np.ndarray], np.ndarray],
    n: int,
    sites: np.ndarray,
) -> np.ndarray | None:
    """Each line's score from a model fitted without its site (None with fewer than two sites).

    The next stage learns from these scores, so it learns how far to trust them on sites the
    earlier stage has not seen, as it will be used.
    """
    folds = min(FOLDS, len(set(sites)))
    if folds < 2:
        return None
    out = np.zeros(n)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(np.zeros(n), groups=sites):
        out[test_idx] = predict(fit(train_idx), test_idx)
    return out


def fit(docs: list[LabeledDoc], threshold: float = DEFAULT_THRESHOLD) -> LineModel:
    """Fit the three estimators of :class:`LineModel` on labeled documents.

    Runs single-threaded: parallel histogram sums can differ in the last bit between runs,
    and the model must be reproducible byte for byte.
    """
    with threadpool_limits(limits=1):
        return _fit(docs, threshold)


def pass_masks(decisions: Sequence[Decision]) -> list[list[bool]]:
    """The lines of a document that its second cleaning pass saw, and those of its output (the
    last pass saw them and changed nothing), from the decisions of cleaning it; blank lines
    count as kept (:func:`cleaner.write.render_lines` places them). A pass that saw the whole
    document and a mask already listed are left out."""
    masks: list[list[bool]] = []
    if not decisions:
        return masks
    last = max(d.scored_in for d in decisions)
    for number in sorted({2, last}):
        mask = [d.keep or d.scored_in >= number or not d.text for d in decisions]
        if not all(mask) and mask not in masks:
            masks.append(mask)
    return masks


def _pass_copies(docs: list[_Doc], texts: list[str], pool: list[_Doc], threshold: float) -> list[_Doc]:
    """Copies of each document as the model's own later cleaning passes see it.

    Cleaning runs to a fixed point, so every document is seen again without what the last pass
    dropped, mistakes included. The random ``partial`` and ``mostly`` copies (:func:`_variants`)
    do not show that. A page whose chrome is gone ends in the article's last list, which then
    looks like a page's closing link list, and pass after pass wore the article away from its
    end: one real page went from 505 lines after the first pass to 89 after the seventh, and
    over the 697 WCXB dev pages the passes after the first dropped 3,014 content lines (with
    6,822 boilerplate ones). Each document is cleaned by a model fitted on ``pool`` without its
    site (two folds by site), so the copies carry the mistakes of a model that has not seen the
    page, as the shipped model meets pages. Lines are read alone (``join_broken=False``), as
    :func:`_fit_rows` reads them.
    """
    if len({doc.site for doc in docs}) < 2:
        return []
    sites = np.array([doc.site for doc in docs])
    copies: list[_Doc] = []
    for train_idx, test_idx in GroupKFold(n_splits=2).split(np.zeros(len(docs)), groups=sites):
        seen = set(sites[train_idx])
        model = _fit_rows([doc for doc in pool if doc.site in seen], threshold)
        cleaned = Cleaner(Config(join_broken=False), model=model).explain_many(texts[i] for i in test_idx)
        for i, decisions in zip(test_idx, cleaned, strict=True):
            copies += [_variant(docs[i], mask) for mask in pass_masks(decisions)]
    return copies


def _fit(docs: list[LabeledDoc], threshold: float) -> LineModel:
    pairs = [(doc.text, _prepare(doc)) for doc in sorted(docs, key=lambda d: d.name)]
    pairs = [(text, doc) for text, doc in pairs if any(doc.labels)]
    rng = np.random.default_rng(SEED)
    prepared = _simulate_runs([doc for _, doc in pairs], rng)
    originals = list(prepared)
    prepared += [variant for doc in originals for variant in _variants(doc, rng)]
    if "passes" in AUGMENT:
        prepared += _pass_copies(originals, [text for text, _ in pairs], prepared, threshold)
    return _fit_rows(prepared, threshold)


def _fit_rows(prepared: list[_Doc], threshold: float) -> LineModel:
    """Fit the estimators on prepared documents (copies included)."""
    # a wrapped paragraph is labeled by its first line; lines the corpus wrote apart stay apart
    # (see cleaner.unwrap)
    batch, layouts = make_batch([doc.lines for doc in prepared], join_broken=False)
    where = [layout.heads for layout in layouts]
    others = [doc.others[i] for doc, body in zip(prepared, where, strict=True) for i in body]
    batch = dataclasses.replace(batch, others=np.array(others, dtype=np.float64))
    labels = np.array([doc.labels[i] for doc, body in zip(prepared, where, strict=True) for i in body])
    sites = np.array([doc.site for doc, body in zip(prepared, where, strict=True) for _ in body])
    y = (labels == KEEP).astype(int)
    hashed = text_matrix(batch.texts)

    text = _text_model().fit(hashed, y)
    oof = _out_of_fold(
        lambda idx: _text_model().fit(hashed[idx], y[idx]), lambda m, idx: m.decision_function(hashed[idx]),
        len(y), sites,
    )  # fmt: skip
    oof = text.decision_function(hashed) if oof is None else oof

    stats = line_stats(batch.texts)
    lines = line_matrix(batch, stats)
    first_x = context_matrix(batch, lines, doc_matrix(batch, lines), oof)
    context = _context_model().fit(first_x, y)
    first_p = _out_of_fold(
        lambda idx: _context_model().fit(first_x[idx], y[idx]),
        lambda m, idx: m.predict_proba(first_x[idx])[:, 1],
        len(y), sites,
    )  # fmt: skip
    p = context.predict_proba(first_x)[:, 1] if first_p is None else first_p
    stacks = []
    for stage in range(STACK_STAGES):
        x = stack_matrix(batch, lines, oof, p, stats)
        stacks.append(_stack_model().fit(x, y))
        if stage + 1 < STACK_STAGES:
            p = _out_of_fold(
                lambda idx, x=x: _stack_model().fit(x[idx], y[idx]),
                lambda m, idx, x=x: m.predict_proba(x[idx])[:, 1],
                len(y), sites,
            )  # fmt: skip
            p = stacks[-1].predict_proba(x)[:, 1] if p is None else p

    drop = labels != KEEP
    reason = LogisticRegression(C=TEXT_C, max_iter=2000, random_state=SEED)
    reason.fit(sparse.csr_matrix(hashed[drop]), labels[drop])
    return LineModel(text, context, tuple(stacks), reason, threshold)


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
    for doc, decisions in zip(docs, cleaner.explain_many(d.text for d in docs), strict=True):
        for decision, label in zip(decisions, doc.labels, strict=True):
            if label is not None and decision.text:
                counts[(label == KEEP, decision.keep)] += 1
    tk, fk, fd, td = (
        counts[(True, True)],
        counts[(False, True)],
        counts[(True, False)],
        counts[(False, False)],
    )
    return Scores(_prf(tk, fk, fd), _prf(td, fd, fk), sum(counts.values()), len(docs))


def blas_kernel() -> str | None:
    """The kernel of the OpenBLAS builds loaded here (numpy's and scipy's), e.g. ``Haswell``;
    several joined by ``,`` if they differ, None without OpenBLAS. See the module docstring."""
    pools = [pool for pool in threadpool_info() if pool.get("internal_api") == "openblas"]
    return ",".join(sorted({str(pool.get("architecture")) for pool in pools})) or None


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for package in ("scikit-learn", "numpy", "scipy", "joblib", "ftfy", "stop-words", "charset-normalizer"):
        found[package] = version(package)
    return found


def train_corpus(corpus: Path, threshold: float = DEFAULT_THRESHOLD) -> tuple[LineModel, dict[str, Any]]:
    """Train on ``corpus/train`` and score on ``corpus/heldout``; returns the model and its card."""
    train_docs = load_docs(corpus / "train")
    heldout_docs = load_docs(corpus / "heldout") if (corpus / "heldout").is_dir() else []
    model = fit(train_docs, threshold)
    card: dict[str, Any] = {
        "corpus_sha256": corpus_sha256(corpus),
        "seed": SEED,
        "versions": versions(),
        "train": {"docs": len(train_docs), "lines": sum(1 for d in train_docs for x in d.labels if x)},
        "how": "cleaner train corpus --out trained",
        "blas_kernel": blas_kernel(),
    }
    if heldout_docs:
        card["heldout"] = evaluate(Cleaner(model=model), heldout_docs).as_dict()
    return model, card
