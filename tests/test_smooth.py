"""Smooth: a short line the model dropped between two confidently kept lines is kept, unless
the run shows it on other pages too; so is a stretch of mildly doubted lines inside a run of
content, and runs are the best keep/drop path."""

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cleaner.smooth import SWITCH_COST, runs, smooth

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


def _smooth(p, docs=None):
    p = np.array(p)
    docs = np.zeros(len(p), dtype=np.int64) if docs is None else np.array(docs)
    return smooth(p, np.zeros(len(p)), np.full(len(p), 4), docs, 0.5)[0].tolist()


def test_a_stretch_of_mildly_doubted_lines_between_kept_lines_is_kept():
    assert _smooth([0.95, 0.4, 0.45, 0.95]) == [True, True, True, True]


def test_a_confidently_dropped_line_is_not_pulled_into_a_run():
    assert _smooth([0.95, 0.1, 0.95]) == [True, False, True]


def test_runs_do_not_cross_documents():
    assert _smooth([0.95, 0.3, 0.95], docs=[0, 0, 0]) == [True, True, True]
    assert _smooth([0.95, 0.3, 0.95], docs=[0, 0, 1]) == [True, False, True]


def _path_score(keep, p, t=0.5):
    gains = [np.log(q / t) if k else np.log((1 - q) / (1 - t)) for k, q in zip(keep, p, strict=True)]
    return sum(gains) - SWITCH_COST * sum(a != b for a, b in itertools.pairwise(keep))


@given(st.lists(st.floats(0.001, 0.999), min_size=1, max_size=8))
def test_runs_are_the_best_keep_drop_path(p):
    found = runs(np.array(p), np.zeros(len(p), dtype=np.int64), 0.5).tolist()
    best = max(_path_score(keep, p) for keep in itertools.product([False, True], repeat=len(p)))
    assert _path_score(found, p) >= best - 1e-9
