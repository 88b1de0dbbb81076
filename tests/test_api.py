"""The library API and the output contract, including the invariants as property tests."""

from conftest import PARAGRAPHS, TITLE, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cleaner as cleaner_module
import cleaner.api as api_module
from cleaner import Config
from cleaner.classify import word_counts
from cleaner.lines import resplit, split_doc
from cleaner.repeats import paragraph_keys
from cleaner.write import join_lines, render_lines


def test_empty_text_gives_empty_output(cleaner):
    assert cleaner.clean("") == ""


def test_text_with_no_content_at_all_gives_empty_output(cleaner):
    cruft = (
        "Advertisement\n\nShare  Tweet  Email\n\nImage: Getty Images\n\n"
        "© 2023 Some Daily. All rights reserved.\n"
    )
    assert cleaner.clean(cruft) == ""


def test_all_content_text_is_returned_unchanged(cleaner):
    text = article()
    assert cleaner.clean(text) == text


def test_output_has_final_newline_and_no_blank_runs_or_edges(cleaner):
    text = "\n\n\n" + article().replace("\n\n", "\n\n\n\n") + "\n\n\n"
    out = cleaner.clean(text)
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert not out.startswith("\n")
    assert "\n\n\n" not in out


def test_kept_lines_are_stripped_of_surrounding_whitespace_including_no_break_space(cleaner):
    text = article().replace(PARAGRAPHS[1], "  " + PARAGRAPHS[1] + "\u00a0 ")
    assert PARAGRAPHS[1] + "\n" in cleaner.clean(text)


def test_lines_of_invisible_characters_are_blank_lines(cleaner):
    """Page builders fill empty paragraphs with ``&zwj;``: such a line is blank, not a line of cruft."""
    text = article()
    padded = text.replace("\n\n", "\n\n\u200d\n\n")
    padded = padded.replace(PARAGRAPHS[1], "\ufeff" + PARAGRAPHS[1] + "\u200b")
    doc = split_doc(padded)
    assert all(text == "" for raw, text in zip(doc.raw, doc.text, strict=True) if raw == "\u200d")
    assert cleaner.clean(padded) == text


def test_lines_of_markup_without_words_are_blank_lines(cleaner):
    """html2text writes a row of social icons as ``[](url)`` links and an empty heading as its
    hashes: nothing of such a line is text, so it is blank, wherever it stands."""
    empty = [
        "[](https://twitter.com/acme) [](https://www.facebook.com/acme)",
        '[](https://en.wikipedia.org/wiki/Harbour_(disambiguation) "Wikipedia")',
        "[![](https://cdn.example.org/logo.svg)](https://example.org/)",
        "![](https://cdn.example.org/spacer.gif)",
        "[\u00bb](https://example.org/next)",
        "## \u200d",
        "###",
        "**\u200b**",
        "__ \u200d __",
    ]
    text = article()
    padded = text.replace("\n\n", "\n\n" + "\n\n".join(empty) + "\n\n")
    doc = split_doc(padded)
    assert all(text == "" for raw, text in zip(doc.raw, doc.text, strict=True) if raw in empty)
    assert cleaner.clean(padded) == text


def test_markup_lines_with_words_are_read_as_lines():
    lines = ["## What the council decided", "[Read the report](https://example.org/r)", "#1 in the league"]
    lines += ["- [](https://example.org/)"]  # an empty list item: "*" as inscriptis writes it, for the model
    lines += ["***", "**Note:**", "__init__.py"]  # a thematic break, for the model; bold words
    assert split_doc("\n".join(lines)).text == lines


def test_markdown_image_lines_are_dropped_and_their_neighbours_kept(cleaner):
    """A page shows an image, not its alt text: a line of a Markdown image is never article text,
    however much its alt text reads like a caption."""
    image = "![Volunteers in high-visibility vests clearing driftwood from the harbour beach](https://example.org/img/beach.jpg)"
    text = article()
    with_images = text.replace("\n\n", f"\n\n{image}\n\n", 2)
    assert cleaner.clean(with_images) == text
    assert {d.reason for d in cleaner.explain(with_images) if d.raw == image} == {"image"}


def test_crlf_and_cr_line_ends_give_the_same_output_as_lf(cleaner):
    text = article((3, "Advertisement"))
    assert cleaner.clean(text.replace("\n", "\r\n")) == cleaner.clean(text)
    assert cleaner.clean(text.replace("\n", "\r")) == cleaner.clean(text)


def test_module_level_clean_uses_the_shipped_model(cleaner):
    text = article((3, "Advertisement"))
    assert cleaner_module.clean(text) == cleaner.clean(text)


def test_threshold_zero_keeps_every_line(cleaner):
    text = article((3, "Advertisement"), (0, "Image: AP"))
    keep_all = cleaner_module.Cleaner(Config(threshold=0.0), model=cleaner.model)
    assert keep_all.clean(text) == text


def test_explain_gives_one_decision_per_input_line(cleaner):
    text = article((3, "Advertisement"))
    decisions = cleaner.explain(text)
    assert [d.index for d in decisions] == list(range(len(text.splitlines())))


def test_a_line_dropped_in_pass_n_was_kept_by_the_passes_before(cleaner, late_drops, monkeypatch):
    for text, line, number in late_drops:
        monkeypatch.setattr(api_module, "MAX_PASSES", number - 1)
        assert cleaner.explain(text)[line].keep
        monkeypatch.setattr(api_module, "MAX_PASSES", number)
        assert not cleaner.explain(text)[line].keep


def test_kept_lines_carry_the_last_pass_and_blank_lines_none(cleaner):
    decisions = cleaner.explain(article((3, "Advertisement"), (0, "Image: AP")))
    last = max(d.scored_in for d in decisions)
    assert last >= 2  # it lost lines, so its output was cleaned again
    assert {d.scored_in for d in decisions if d.keep} == {last}
    assert all(d.scored_in == 0 for d in decisions if not d.text)
    assert all(1 <= d.scored_in <= last for d in decisions if d.text)


def test_a_paragraph_shown_twice_is_written_once_and_explained_as_a_repeat(cleaner):
    text = article((3, PARAGRAPHS[0]))
    assert cleaner.clean(text).count(PARAGRAPHS[0]) == 1
    copies = [d for d in cleaner.explain(text) if d.text == PARAGRAPHS[0]]
    assert [(d.keep, d.reason) for d in copies] == [(True, "content"), (False, "repeat")]


def test_clean_batch_matches_clean(cleaner):
    texts = [article((3, "Advertisement")), article(), ""]
    assert list(cleaner.clean_batch(texts)) == [cleaner.clean(t) for t in texts]


# --- invariants, over generated documents mixing our article lines, cruft and noise ---------

_LINES = st.sampled_from(
    [*PARAGRAPHS, TITLE, "Advertisement", "Image: AP", "Share this article", "", " ", "\u00a0",
     "Read more: Council to review parking fees", "itâ€™s raining", "Fish &amp; chips", "* Item one"]
)  # fmt: skip
_DOCS = st.one_of(st.lists(_LINES, max_size=25).map("\n".join), st.text(max_size=300))
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_DOCS)
def test_output_lines_come_in_order_from_the_repaired_input(cleaner, text):
    source = split_doc(text).text
    position = 0
    for line in cleaner.clean(text).split("\n"):
        if not line:
            continue
        while position < len(source) and source[position] != line:
            position += 1
        assert position < len(source), f"{line!r} is not an input line (in order)"
        position += 1


@_SETTINGS
@given(_DOCS)
def test_cleaning_twice_changes_nothing(cleaner, text):
    once = cleaner.clean(text)
    assert cleaner.clean(once) == once


@_SETTINGS
@given(_DOCS)
def test_no_paragraph_is_written_twice_in_one_output(cleaner, text):
    lines = cleaner.clean(text).split("\n")
    paragraphs = [key for key in paragraph_keys(lines, word_counts(lines)) if key]
    assert len(set(paragraphs)) == len(paragraphs)


@_SETTINGS
@given(_DOCS)
def test_same_input_gives_same_output(cleaner, text):
    assert cleaner.clean(text) == cleaner.clean(text)


@_SETTINGS
@given(_DOCS)
def test_reprocessing_kept_lines_equals_splitting_the_output_again(text):
    doc = split_doc(text)
    lines, source = render_lines(doc.text, [True] * len(doc))
    settled = [s < 0 or doc.settled[s] for s in source]
    assert resplit(lines, settled) == split_doc(join_lines(lines))
