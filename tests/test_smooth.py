"""Smooth: a short line the model dropped between two confidently kept lines is kept, unless
the run shows it on other pages too."""

import numpy as np

from cleaner.smooth import smooth

P = np.array([0.95, 0.3, 0.95])
SCORES = np.zeros(3)
WORDS = np.array([40, 4, 40])
DOC = np.zeros(3, dtype=np.int64)


def test_a_short_line_between_confident_content_is_rescued():
    keep, rescued = smooth(P, SCORES, WORDS, DOC, 0.5)
    assert keep.tolist() == [True, True, True] and rescued.tolist() == [False, True, False]


def test_a_short_line_found_on_other_pages_of_the_run_is_not_rescued():
    keep, _ = smooth(P, SCORES, WORDS, DOC, 0.5, others=np.array([0.0, 5.0, 0.0]))
    assert keep.tolist() == [True, False, True]


def test_a_line_with_cruft_words_is_not_rescued():
    keep, _ = smooth(P, np.array([0.0, -3.0, 0.0]), WORDS, DOC, 0.5)
    assert keep.tolist() == [True, False, True]
