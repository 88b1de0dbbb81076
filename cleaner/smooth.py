"""Smooth: correct single decisions that the document around them contradicts.

The context model already reads the neighbours, but it scores each line on its own; this pass
looks at the decisions. A short line that was dropped but sits between two confidently kept
lines of its document, with no strong sign of cruft (P(keep) not far below the threshold, and
words that the text model does not mark as cruft), is a subheading, a list item or a one-line
quote inside the article: it is kept. Cruft between two paragraphs ("Advertisement",
"Image: AP") has cruft words, or scores far lower, and stays dropped.
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
    rescued = ~keep & between & plausible & (n_words <= RESCUE_MAX_WORDS)
    return keep | rescued, rescued
