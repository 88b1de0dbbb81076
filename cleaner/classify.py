"""Classify: a keep/drop decision, its probability and its reason for every line of a document."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cleaner.lines import Line
from cleaner.model import LineModel
from cleaner.smooth import smooth

CONTENT = "content"
BETWEEN_CONTENT = "content (between content lines)"
BLANK = "blank"


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


def classify(model: LineModel, lines: list[Line], threshold: float) -> list[Decision]:
    """Decide every line: blank lines pass through, the rest go through the model and smoothing."""
    body = [line for line in lines if not line.blank]
    texts = [line.text for line in body]
    blank_before, blank_after = [], []
    for line in body:
        i = line.index
        blank_before.append(i == 0 or lines[i - 1].blank)
        blank_after.append(i == len(lines) - 1 or lines[i + 1].blank)
    p_keep, _, reasons = model.predict(texts, blank_before, blank_after)
    n_words = np.array([len(t.split()) for t in texts])
    keep, rescued = smooth(p_keep, n_words, threshold)
    by_index = {}
    for j, line in enumerate(body):
        reason = (BETWEEN_CONTENT if rescued[j] else CONTENT) if keep[j] else str(reasons[j])
        by_index[line.index] = Decision(
            line.index, line.raw, line.text, bool(keep[j]), float(p_keep[j]), reason, line.trimmed
        )
    return [
        by_index.get(line.index) or Decision(line.index, line.raw, "", False, math.nan, BLANK)
        for line in lines
    ]
