"""Smooth: correct decisions that the document around them contradicts.

The context model already reads the neighbours, but it scores each line on its own; this pass
looks at the decisions. Two rules rescue a dropped line, and both need it to have no strong
sign of cruft (P(keep) not far below the threshold, words that the text model does not mark as
cruft, and, when the run was counted, not on many other pages):

* a short line between two confidently kept lines of its document is a subheading, a list item
  or a one-line quote inside the article;
* a line inside a *run* of content: each document gets the keep/drop sequence that best fits
  P(keep) when every change between keeping and dropping costs :data:`SWITCH_COST` log-odds
  (:func:`runs`), so a stretch of lines the model only mildly doubts stays with the kept lines
  beside it (between two of them, or at a document's edge after one). Cruft between two
  paragraphs ("Advertisement", "Image: AP") scores far lower, or has cruft words, and stays
  dropped.

Runs were measured on the WCXB dev pages and on our held-out corpus, with the model then shipped
(feature version ``lines-v8``).
Dev: token F1 0.933 -> 0.934, content-line recall 0.870 -> 0.882, boilerplate removal 0.914 ->
0.910. Held-out: keep F1 0.919 -> 0.920, drop F1 0.952 either way. Both lie above what moving
the threshold gives (0.45: held-out keep F1 0.917, drop F1 0.950). A switch cost of 1.0 gave
more recall (0.887) for less removal (0.908) and a lower held-out score (0.919, 0.951).
"""

from __future__ import annotations

import numpy as np

#: A dropped line is rescued only if P(keep) >= RESCUE_FLOOR * threshold ...
RESCUE_FLOOR = 0.3
#: ... it has at most this many words ...
RESCUE_MAX_WORDS = 15
#: ... both neighbouring lines of its document were kept with P(keep) >= this ...
RESCUE_NEIGHBOUR_P = 0.8
#: ... its text score (the text model's log-odds of content) is at least this ...
RESCUE_MIN_TEXT_SCORE = -2.0
#: ... and, when the run was counted (:mod:`cleaner.crossdoc`), it occurs in fewer than this
#: many other documents: a short line on every page of a site is its furniture, not a heading.
RESCUE_MAX_OTHERS = 2
#: Runs: the cost, in log-odds, of a change between kept and dropped lines (see :func:`runs`).
SWITCH_COST = 0.5
#: P(keep) is clipped to [EPS, 1 - EPS] before taking log-odds.
_EPS = 1e-4


def runs(
    p_keep: np.ndarray, doc_ids: np.ndarray, threshold: float, switch: float = SWITCH_COST
) -> np.ndarray:
    """The keep/drop sequence of each document that best fits P(keep): each line earns the
    log-odds of its state against the threshold, each change of state costs ``switch`` (a
    two-state Viterbi path). With the difference of the two states' scores as D, the path
    follows D_i = clip(D_(i-1), -switch, switch) + logit(p_i) - logit(threshold)."""
    p = np.clip(p_keep, _EPS, 1 - _EPS)
    t = min(max(threshold, _EPS), 1 - _EPS)
    gain = (np.log(p / (1 - p)) - np.log(t / (1 - t))).tolist()
    first = np.ones(len(p), dtype=bool)
    first[1:] = doc_ids[1:] != doc_ids[:-1]
    starts = first.tolist()
    d = [0.0] * len(gain)
    prev = 0.0
    for i, g in enumerate(gain):
        prev = g if starts[i] else min(max(prev, -switch), switch) + g
        d[i] = prev
    keep = [False] * len(gain)
    state = False
    for i in range(len(gain) - 1, -1, -1):
        if i == len(gain) - 1 or starts[i + 1]:
            state = d[i] >= 0
        keep[i] = state
        if not starts[i]:
            state = d[i - 1] >= -switch if state else d[i - 1] > switch
    return np.array(keep, dtype=bool)


def smooth(
    p_keep: np.ndarray,
    text_scores: np.ndarray,
    n_words: np.ndarray,
    doc_ids: np.ndarray,
    threshold: float,
    others: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Keep decisions for the non-blank lines of a batch, and which were rescued by context;
    ``others``: in how many other documents of the run each line occurs, if counted."""
    keep = p_keep >= threshold
    between = np.zeros_like(keep)
    if len(keep) >= 3:
        confident = p_keep >= RESCUE_NEIGHBOUR_P
        same_doc = (doc_ids[:-2] == doc_ids[1:-1]) & (doc_ids[2:] == doc_ids[1:-1])
        between[1:-1] = confident[:-2] & confident[2:] & same_doc
    plausible = (p_keep >= RESCUE_FLOOR * threshold) & (text_scores >= RESCUE_MIN_TEXT_SCORE)
    if others is not None:
        plausible &= others < RESCUE_MAX_OTHERS
    rescued = (
        ~keep & plausible & ((between & (n_words <= RESCUE_MAX_WORDS)) | runs(p_keep, doc_ids, threshold))
    )
    return keep | rescued, rescued
