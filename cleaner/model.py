"""The line model: what is in it, and loading it safely.

A model is four scikit-learn estimators over the features of :mod:`cleaner.features`:

* ``text``: logistic regression over hashed n-grams, giving each line a text score;
* ``context``: gradient-boosted trees over shape, position and neighbour features plus the
  text scores of the line and its neighbours, giving a first P(keep);
* ``stack``: one or more smaller gradient-boosted trees, each over the previous P(keep) of the
  line and the lines around it (is it inside a run of confident content? does it talk of
  what that content talks of?), the last giving the final P(keep);
* ``reason``: logistic regression over hashed n-grams of dropped lines, naming the kind of
  cruft (``ad``, ``byline``, ...) so every dropped line carries a reason.

It is stored with joblib beside a JSON card (``model.json``) that records how it was made and
what it scored. ``joblib.load`` runs code from the file, so the shipped model is loaded only
after its SHA-256 matches the card, and a user's own model only when named explicitly.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from cleaner.features import (
    FEATURE_VERSION,
    Batch,
    LineStats,
    context_matrix,
    doc_matrix,
    line_matrix,
    line_stats,
    stack_matrix,
    text_matrix,
)

MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"


class ModelError(RuntimeError):
    """A model that cannot be used: missing, corrupt, tampered with or of another feature version."""


@dataclass(frozen=True)
class LineModel:
    """A trained model and the threshold on P(keep) it was validated with."""

    text: Any
    context: Any
    stack: tuple[Any, ...]  # stacked models, applied in order
    reason: Any
    threshold: float
    feature_version: str = FEATURE_VERSION

    def text_scores(self, texts: list[str]) -> np.ndarray:
        """The text model's score of each line (its decision function)."""
        return self.text.decision_function(text_matrix(texts)) if texts else np.zeros(0)

    def predict(
        self, batch: Batch, scores: np.ndarray | None = None, stats: LineStats | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(keep) and the text score of every line of ``batch`` (``scores`` and ``stats``: the
        lines' text scores and :class:`LineStats`, when known)."""
        if not batch.texts:
            return np.zeros(0), np.zeros(0)
        stats = line_stats(batch.texts) if stats is None else stats
        lines = line_matrix(batch, stats)
        scores = self.text_scores(batch.texts) if scores is None else scores
        context = context_matrix(batch, lines, doc_matrix(batch, lines), scores)
        return self.trees(batch, lines, scores, context, stats), scores

    def trees(
        self, batch: Batch, lines: np.ndarray, scores: np.ndarray, context: np.ndarray, stats: LineStats
    ) -> np.ndarray:
        """P(keep) from the context model's features (``context``): the context model, then each
        stacked model over the P(keep) of the one before (its features computed on the way)."""
        p = self.context.predict_proba(context)[:, 1]
        for stack in self.stack:
            p = stack.predict_proba(stack_matrix(batch, lines, scores, p, stats))[:, 1]
        return p

    def reasons(self, texts: list[str]) -> list[str]:
        """The kind of cruft each line would be if dropped (``ad``, ``byline``, ...)."""
        return [str(r) for r in self.reason.predict(text_matrix(texts))] if texts else []


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: LineModel, folder: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``model.joblib`` and its card to ``folder``; returns the card as written."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = {
        "feature_version": model.feature_version,
        "threshold": model.threshold,
        "text": model.text,
        "context": model.context,
        "stack": model.stack,
        "reason": model.reason,
    }
    joblib.dump(payload, folder / MODEL_FILE, compress=3)
    card = {**card, "feature_version": model.feature_version, "threshold": model.threshold}
    card["model_sha256"] = sha256_file(folder / MODEL_FILE)
    (folder / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return card


def _from_payload(payload: Any, source: Path) -> LineModel:
    if (
        not isinstance(payload, dict)
        or not {"text", "context", "stack", "reason", "threshold"} <= payload.keys()
    ):
        raise ModelError(f"{source}: not a cleaner model (missing parts)")
    version = payload.get("feature_version")
    if version != FEATURE_VERSION:
        raise ModelError(
            f"{source}: made for features {version!r}, this cleaner computes {FEATURE_VERSION!r}; "
            "retrain it with `cleaner train`"
        )
    return LineModel(
        payload["text"],
        payload["context"],
        payload["stack"],
        payload["reason"],
        float(payload["threshold"]),
        version,
    )


def _check_versions(card: dict[str, Any], source: Path) -> None:
    import sklearn

    trained_with = card.get("versions", {}).get("scikit-learn")
    if trained_with and trained_with != sklearn.__version__:
        warnings.warn(
            f"{source}: trained with scikit-learn {trained_with}, running {sklearn.__version__}; "
            "if results look wrong, retrain with `cleaner train`",
            stacklevel=3,
        )


def load_model(path: Path, expected_sha256: str | None = None) -> LineModel:
    """Load a model file; with ``expected_sha256``, refuse a file whose digest differs.

    Only load files you trust: joblib files can run code when loaded.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no model file there")
    if expected_sha256 is not None and sha256_file(path) != expected_sha256:
        raise ModelError(f"{path}: SHA-256 differs from its card; the file was changed or damaged")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # a damaged pickle raises anything from EOFError to KeyError
        raise ModelError(f"{path}: cannot be read as a model ({type(exc).__name__}: {exc})") from exc
    card_path = path.with_name(CARD_FILE)
    if card_path.is_file():
        _check_versions(json.loads(card_path.read_text(encoding="utf-8")), path)
    return _from_payload(payload, path)


def default_model_dir() -> Path:
    """Where the shipped model lives: ``cleaner/trained`` once installed (``trained/`` is
    mapped there by pyproject.toml), or ``trained/`` beside the package in a source checkout."""
    try:
        return Path(str(resources.files("cleaner.trained")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "trained"


def read_card(folder: Path | None = None) -> dict[str, Any]:
    folder = folder or default_model_dir()
    return json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))


def load_default_model() -> LineModel:
    """The shipped model, verified against the SHA-256 in its card before it is unpickled."""
    folder = default_model_dir()
    try:
        card = read_card(folder)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder / CARD_FILE}: the shipped model card is missing or unreadable") from exc
    return load_model(folder / MODEL_FILE, expected_sha256=card.get("model_sha256", ""))
