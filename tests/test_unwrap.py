"""Unwrap: the pieces of a paragraph wrapped at a fixed width, and of a sentence broken around a
link, are classified as one unit; pages with a paragraph per line are left line by line."""

import textwrap

from conftest import PARAGRAPHS, SUBHEADING, TITLE, text_nodes
from hypothesis import given
from hypothesis import strategies as st

from cleaner.unwrap import MAX_BROKEN, READ_CHARS, continues_sentence, unit_texts, units, wrap_width


def _wrapped_page(width=78):
    lines = [TITLE, ""]
    for paragraph in PARAGRAPHS:
        lines += [*textwrap.wrap(paragraph, width), ""]
    return lines


def test_a_page_wrapped_at_78_columns_is_recognised_with_its_width():
    assert wrap_width(_wrapped_page()) in range(70, 79)


def test_each_wrapped_paragraph_is_one_unit():
    lines = _wrapped_page()
    texts = [" ".join(lines[i] for i in unit) for unit in units(lines)]
    assert texts == [TITLE, *PARAGRAPHS]


def test_a_page_with_a_paragraph_per_line_keeps_one_unit_per_line():
    lines = [TITLE, "", *PARAGRAPHS, SUBHEADING]
    assert wrap_width(lines) is None
    assert units(lines) == [[i] for i, line in enumerate(lines) if line]


def test_a_list_item_after_a_full_line_starts_its_own_unit():
    lines = _wrapped_page()
    assert len(lines[2]) > 70  # a full piece of the first paragraph
    lines.insert(3, "* Fresh basil from the market")
    assert any(unit[0] == 3 for unit in units(lines))


def test_a_line_with_room_for_the_next_word_ends_its_unit():
    lines = _wrapped_page()
    lines.insert(3, "Short line.")  # after a full piece, before the next piece
    assert not any(3 in unit and 4 in unit for unit in units(lines))


def test_a_sentence_broken_around_a_lowercase_link_is_one_unit():
    lines = [TITLE, *text_nodes(PARAGRAPHS[0], [12, 15]), SUBHEADING]
    assert lines[2] == "to rebuild the"  # the link
    assert units(lines) == [[0], [1, 2, 3], [4]]


def test_a_piece_that_starts_with_a_capital_starts_a_unit():
    lines = text_nodes(PARAGRAPHS[3], [2, 4])
    assert lines[1] == "Ruth Amadi"
    assert units(lines) == [[0], [1, 2]]


def test_a_lowercase_line_after_a_finished_sentence_starts_a_unit():
    assert not continues_sentence("The vote was close.", "residents were not surprised")
    assert not continues_sentence("Read more:", "the full report")


def test_closing_punctuation_carries_a_sentence_on():
    assert continues_sentence("said council leader", ", adding that the work would start soon.")


def test_a_list_item_starts_a_unit_even_in_lowercase():
    assert not continues_sentence("You will need", "* fresh basil")
    assert not continues_sentence("Offices", "o Atlanta, GA")  # inscriptis' nested-list marker


def test_the_word_o_of_portuguese_is_no_list_marker():
    assert continues_sentence("Ele vendeu", "o carro antigo no sábado.")


def test_a_long_run_of_lowercase_lines_is_read_a_few_lines_at_a_time():
    lines = [f"item number {i} of the list" for i in range(5 * MAX_BROKEN)]
    assert [len(unit) for unit in units(lines)] == [MAX_BROKEN] * 5


def test_training_units_keep_broken_sentences_apart():
    lines = text_nodes(PARAGRAPHS[0], [12, 15])
    assert units(lines, join_broken=False) == [[0], [1], [2]]


@given(st.lists(st.text(alphabet="ab .*-", max_size=90), max_size=40))
def test_units_partition_the_non_blank_lines_in_order(lines):
    lines = [line.strip() for line in lines]
    found = [i for unit in units(lines) for i in unit]
    assert found == [i for i, line in enumerate(lines) if line]
    assert all(unit == list(range(unit[0], unit[-1] + 1)) for unit in units(lines))


def test_a_unit_is_read_by_its_first_characters_only():
    long_line = "The harbour wall will be rebuilt before winter. " * (READ_CHARS // 20)
    assert unit_texts([long_line, "Short line."]) == [long_line[:READ_CHARS], "Short line."]


def test_a_line_longer_than_is_read_is_kept_or_dropped_whole(cleaner):
    long_line = "The harbour wall will be rebuilt before winter, the council said on Tuesday. " * (
        2 * READ_CHARS // 70
    )
    text = f"{TITLE}\n\n{PARAGRAPHS[0]}\n\n{long_line.strip()}\n\n{PARAGRAPHS[1]}\n"
    assert cleaner.clean(text) == text
