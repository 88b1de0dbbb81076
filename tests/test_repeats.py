"""Repeats: the second copy of a kept paragraph in a document is dropped; short lines, copies in
other documents and copies of dropped lines are left to the model."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cleaner.features import as_read
from cleaner.repeats import MIN_WORDS, later_copies, paragraph_keys

PARAGRAPH = "The ferry timetable changes on Monday, with two extra sailings each evening until May."
SHORT = "Tickets are on sale now."


def _later(texts, keep=None, docs=None):
    keep = np.ones(len(texts), dtype=bool) if keep is None else np.array(keep)
    docs = np.zeros(len(texts), dtype=np.int64) if docs is None else np.array(docs)
    keys = paragraph_keys(texts, np.array([len(t.split()) for t in texts]))
    return later_copies(keys, keep, docs).tolist()


def test_a_later_copy_of_a_kept_paragraph_is_marked_and_the_first_is_not():
    assert _later([PARAGRAPH, "Other text.", PARAGRAPH]) == [False, False, True]


def test_copies_differing_only_in_case_and_spacing_are_the_same_paragraph():
    assert _later([PARAGRAPH, "  " + PARAGRAPH.upper().replace(" ", "   ")]) == [False, True]


def test_lines_shorter_than_min_words_may_repeat():
    assert len(SHORT.split()) < MIN_WORDS
    assert _later([SHORT, SHORT, SHORT]) == [False, False, False]


def test_copies_in_different_documents_are_not_repeats():
    assert _later([PARAGRAPH, PARAGRAPH], docs=[0, 1]) == [False, False]


def test_a_copy_of_a_dropped_line_is_the_first_kept_copy():
    assert _later([PARAGRAPH, PARAGRAPH, PARAGRAPH], keep=[False, True, True]) == [False, False, True]


def test_a_copy_with_markdown_link_markup_is_the_same_paragraph():
    linked = PARAGRAPH.replace("ferry timetable", "[ferry timetable](https://example.org/ferry)")
    assert _later([PARAGRAPH, linked]) == [False, True]


@given(st.text(alphabet="ab É[](x) \t\n\u00a0\u2003\x1c"))
def test_a_paragraph_key_is_its_words_as_read_one_space_apart_case_folded(text):
    key = paragraph_keys([text], np.array([MIN_WORDS]))[0]
    assert key == " ".join(as_read(text).split()).casefold()
