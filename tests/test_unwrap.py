"""Unwrap: the pieces of a paragraph wrapped at a fixed width are classified as one unit; pages
with a paragraph per line are left line by line."""

import textwrap

from conftest import PARAGRAPHS, SUBHEADING, TITLE
from hypothesis import given
from hypothesis import strategies as st

from cleaner.unwrap import units, wrap_width


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
    assert [3] in units(lines)


def test_a_line_with_room_for_the_next_word_ends_its_unit():
    lines = _wrapped_page()
    lines.insert(3, "Short line.")  # after a full piece, before the next piece
    assert not any(3 in unit and 4 in unit for unit in units(lines))


@given(st.lists(st.text(alphabet="ab .*-", max_size=90), max_size=40))
def test_units_partition_the_non_blank_lines_in_order(lines):
    lines = [line.strip() for line in lines]
    found = [i for unit in units(lines) for i in unit]
    assert found == [i for i, line in enumerate(lines) if line]
    assert all(unit == list(range(unit[0], unit[-1] + 1)) for unit in units(lines))
