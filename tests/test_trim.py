"""Inline trimming: metadata glued to a content line is cut, the sentence kept."""

import pytest

from cleaner.trim import trim


@pytest.mark.parametrize(
    ("line", "kept", "cut"),
    [
        (
            "date 2022-03-14 Farmers in the valley began the harvest early.",
            "Farmers in the valley began the harvest early.",
            "date 2022-03-14 ",
        ),
        (
            "Posted 4 June 2023 The bridge reopened to traffic on Sunday.",
            "The bridge reopened to traffic on Sunday.",
            "Posted 4 June 2023 ",
        ),
        (
            "Updated: May 3, 2024 10:15 AM EST Officials said the road is open.",
            "Officials said the road is open.",
            "Updated: May 3, 2024 10:15 AM EST ",
        ),
        (
            "The library will stay open late on Fridays. Advertisement",
            "The library will stay open late on Fridays.",
            " Advertisement",
        ),
    ],
)
def test_metadata_prefix_or_ad_suffix_is_cut(line, kept, cut):
    assert trim(line) == (kept, cut)


@pytest.mark.parametrize(
    "line",
    [
        "Updated September 10th, 2021 at 13:24 IST",  # only a timestamp: the classifier drops it
        "2022-03-14 Results",  # too short to be a sentence
        "Published 12.05.2022 | 10:30 der Stadtrat tagte",  # lower-case: not a sentence start
        "The 2022-03-14 meeting was cancelled after the storm warning.",  # date inside the sentence
        "Advertisement",
    ],
)
def test_lines_without_glued_metadata_are_left_whole(line):
    assert trim(line) == (line, "")


def test_stacked_metadata_prefixes_are_cut_at_once():
    """One call reaches the fixed point, so cleaning is idempotent however many there are."""
    sentence = "The harbour council met on Tuesday to vote."
    kept, cut = trim("Updated 22 September 2024 Published 20 September 2024 " + sentence)
    assert (kept, cut) == (sentence, "Updated 22 September 2024 Published 20 September 2024 ")
    kept, _ = trim("22 september 2024 " * 500 + sentence)
    assert kept == sentence
