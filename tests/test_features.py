"""Features: what the classifier reads is what the names say, and a document's features do not
depend on the other documents it is batched with."""

import textwrap

import numpy as np
from conftest import PARAGRAPHS, TITLE, article

from cleaner.classify import Memo, make_batch, word_counts
from cleaner.features import (
    LINE_FEATURES,
    STOP_LANGUAGES,
    TEXT_ONLY_FEATURES,
    as_read,
    context_feature_names,
    context_matrix,
    doc_matrix,
    images_only,
    line_matrix,
    line_stats,
    stack_feature_names,
    stack_matrix,
    text_matrix,
)
from cleaner.lines import split_doc
from cleaner.repeats import paragraph_keys

DOCS = [article((3, "Advertisement")), "Home\nNews\n\n" + PARAGRAPHS[0] + "\n© 2024 Example\n", article()]


def _matrices(texts):
    batch, _ = make_batch([split_doc(t) for t in texts])
    stats = line_stats(batch.texts)
    lines = line_matrix(batch, stats)
    scores = np.array([len(t) % 7 - 3.0 for t in batch.texts])  # stand-ins that depend on the line only
    first = np.array([len(t) % 5 / 4 for t in batch.texts])
    return (
        batch,
        context_matrix(batch, lines, doc_matrix(batch, lines), scores),
        stack_matrix(batch, lines, scores, first, stats),
    )


def test_every_context_and_stack_column_has_a_name():
    _, context, stack = _matrices(DOCS)
    assert context.shape[1] == len(context_feature_names())
    assert stack.shape[1] == len(stack_feature_names())


def test_a_documents_features_do_not_depend_on_its_batch():
    batch, together, _ = _matrices(DOCS)
    for i, text in enumerate(DOCS):
        lo, hi = batch.doc_starts[i], batch.doc_starts[i + 1]
        _, alone, _ = _matrices([text])
        np.testing.assert_array_equal(together[lo:hi], alone)


def test_line_features_from_remembered_line_stats_equal_fresh_ones(cleaner):
    """Later passes read text-only figures from a :class:`Memo` filled by earlier ones, in
    another order and mixed with other lines; the features must not change."""
    batch, _ = make_batch([split_doc(t) for t in DOCS])
    memo = Memo()
    model = cleaner.model
    memo.lookup(model, ["An unrelated line first.", *reversed(batch.texts)])
    scores, stats, words, keys = memo.lookup(model, batch.texts)
    assert np.array_equal(line_matrix(batch, stats), line_matrix(batch))
    assert np.array_equal(line_matrix(batch, line_stats(batch.texts)), line_matrix(batch))
    assert np.array_equal(scores, model.text_scores(list(batch.texts)))
    assert np.array_equal(words, word_counts(batch.texts))
    assert keys == paragraph_keys(batch.texts, word_counts(batch.texts))


def test_digits_are_masked_so_timestamps_look_alike_to_the_text_model():
    a, b = text_matrix(["Updated 13:24 IST", "Updated 09:10 IST"]).toarray()
    np.testing.assert_array_equal(a, b)


def test_words_are_lower_cased_for_the_text_model():
    a, b = text_matrix(["SHARE THIS ARTICLE", "Share this article"]).toarray()
    np.testing.assert_array_equal(a, b)


def test_a_markdown_link_reads_as_its_text():
    linked = "Read [the full council report](https://example.org/report_(final)) before Friday."
    assert as_read(linked) == "Read the full council report before Friday."
    a, b = text_matrix([linked, "Read the full council report before Friday."]).toarray()
    np.testing.assert_array_equal(a, b)


def test_a_linked_image_reads_as_its_alt_text():
    assert as_read("[![Harbour wall at dusk](https://example.org/wall.jpg)](https://example.org/)") == (
        "Harbour wall at dusk"
    )
    assert as_read("[![](https://example.org/logo.png)](https://example.org/) Home").strip() == "Home"


def test_lines_of_markdown_images_only_are_told_apart():
    images = [
        "![Harbour wall at dusk](https://example.org/wall.jpg)",
        "[![Acme](https://example.org/logo.svg)](https://example.org/)",
        '* ![Mayor Ruiz](https://example.org/ruiz.jpg "The mayor")',
        "![a](https://example.org/a.jpg) ![b](https://example.org/b.jpg)",
    ]
    lines = [
        "![Harbour wall](https://example.org/wall.jpg) The harbour wall at dusk, a week before the storm.",
        "Read [the full council report](https://example.org/report) before Friday.",
        "The council met on Tuesday (see the photo below).",
    ]
    assert images_only(images + lines).tolist() == [True] * len(images) + [False] * len(lines)


def test_a_link_lynx_numbered_in_place_reads_as_its_text():
    assert as_read("[12]Home [13]Council [14]Harbour news") == "Home Council Harbour news"
    a, b = text_matrix(["Read [7]the full council report.", "Read the full council report."]).toarray()
    np.testing.assert_array_equal(a, b)


def test_a_citation_mark_after_a_sentence_is_left_as_it_is():
    assert as_read("The wall was built in 1911.[3] It stood") == "The wall was built in 1911.[3] It stood"


def test_list_markers_of_any_renderer_read_alike():
    rows = text_matrix(["* Fresh basil", "- Fresh basil", "• Fresh basil", "+ Fresh basil"]).toarray()
    for row in rows[1:]:
        np.testing.assert_array_equal(rows[0], row)


def test_markdown_headings_and_bold_read_as_plain_text():
    assert as_read("## Questions over the **delay**") == "Questions over the delay"
    assert as_read("#harbourwall trending") == "#harbourwall trending"  # a hashtag is not a heading


def _is_prose(text):
    batch, _ = make_batch([split_doc(text)])
    return line_matrix(batch)[:, LINE_FEATURES.index("is_prose")].tolist()


def test_paragraphs_wrapped_at_a_fixed_width_reach_the_features_as_prose_lines():
    page = TITLE + "\n\n" + "\n\n".join("\n".join(textwrap.wrap(p, 78)) for p in PARAGRAPHS) + "\n"
    batch, _ = make_batch([split_doc(page)])
    assert list(batch.texts) == [TITLE, *PARAGRAPHS]
    assert _is_prose(page) == [0.0, 1.0, 1.0, 1.0, 1.0]


def test_short_lines_in_a_row_are_not_joined_into_prose():
    assert _is_prose("Home\nNews\nSport and leisure in the town.\n") == [0.0, 0.0, 0.0]


def test_list_items_carry_the_line_that_introduces_their_list():
    text = "You will need:\n* two eggs\n* a cup of flour\nThen mix them.\n* not introduced by a colon\n"
    batch, _ = make_batch([split_doc(text)])
    stats = line_stats(batch.texts)
    lines = line_matrix(batch, stats)
    scores = np.arange(len(batch.texts), dtype=np.float64)  # a stand-in score: the line's index
    stack = stack_matrix(batch, lines, scores, np.full(len(batch.texts), 0.5), stats)
    names = stack_feature_names()
    colon = stack[:, names.index("intro_colon")]
    intro = stack[:, names.index("intro_score")]
    assert colon[1] == colon[2] == 1.0 and colon[4] == 0.0
    assert intro[1] == intro[2] == 0.0 and intro[4] == 3.0
    assert np.isnan(colon[[0, 3]]).all()  # lines that are not list items


def _prose_overlap(text: str) -> dict[str, float]:
    batch, _ = make_batch([split_doc(text)])
    column = line_matrix(batch)[:, LINE_FEATURES.index("prose_overlap")]
    return dict(zip(batch.texts, column.tolist(), strict=True))


def test_a_heading_that_names_the_articles_topic_overlaps_its_prose():
    overlap = _prose_overlap(
        "Home\nCareers\n\nTools Every Electrician Needs\n\nBy Dana Whitfield\n\n"
        "Every electrician carries a multimeter, because tools that measure voltage save lives.\n"
        "Good insulated tools cost more, but an electrician keeps them for a decade or longer.\n"
    )
    assert overlap["Tools Every Electrician Needs"] == 1.0
    assert overlap["Home"] == overlap["Careers"] == overlap["By Dana Whitfield"] == 0.0


def test_a_prose_line_overlaps_only_through_the_other_prose_lines():
    alone = "A lone paragraph about electricians and their tools stands here without any company."
    assert _prose_overlap(alone + "\n")[alone] == 0.0


def test_prose_overlap_reads_only_the_lines_own_document():
    prose = "Every electrician carries a multimeter, because tools that measure voltage save lives.\n"
    batch, _ = make_batch([split_doc(prose), split_doc("Electrician tools\n")])
    assert line_matrix(batch)[1, LINE_FEATURES.index("prose_overlap")] == 0.0


def test_a_line_overlaps_the_confident_content_only_through_its_topic_words():
    text = (
        "Pruning roses in late winter\n"
        "Late winter is the season for pruning roses, before the buds swell on the canes.\n"
        "Subscribe to our weekly newsletter\n"
        "Cut each cane above an outward bud, and burn the prunings so winter disease cannot spread.\n"
    )
    batch, _ = make_batch([split_doc(text)])
    stats = line_stats(batch.texts)
    lines = line_matrix(batch, stats)
    p = np.array([0.5, 0.95, 0.5, 0.3])  # only the first paragraph is confident content
    stack = stack_matrix(batch, lines, np.zeros(4), p, stats)
    overlap = stack[:, stack_feature_names().index("content_overlap")]
    assert overlap[0] == 1.0  # "pruning", "roses", "late", "winter" are all in the paragraph
    assert overlap[2] == 0.0  # the newsletter prompt names none of its words
    assert overlap[1] == 0.0  # the paragraph's own words do not count for it
    assert 0.0 < overlap[3] < 1.0  # "winter" is in the paragraph; "cane" and "canes" are other words


def _line_figures(text):
    stats = line_stats([text])
    return {name: stats.dense[0, i] for i, name in enumerate(TEXT_ONLY_FEATURES)}, stats


def test_each_character_of_a_chinese_sentence_is_a_word_and_its_full_stop_ends_it():
    figures, stats = _line_figures("经过两年的施工，湖边的公园在周五重新开放，市民可以免费入园。")
    assert stats.n_words[0] == 27  # the 27 characters; the commas and the full stop are not words
    assert figures["ends_period"] == 1.0
    assert figures["is_prose"] == 1.0
    assert figures["comma_share"] > 0


def test_japanese_particles_count_as_stop_words():
    _, stats = _line_figures("公園の改修工事が金曜日に完了した。")
    japanese = STOP_LANGUAGES.index("japanese")
    assert stats.stops[0, japanese] >= 3  # の, が, に


def test_a_japanese_question_in_brackets_ends_a_sentence():
    figures, _ = _line_figures("「週末は公園まで歩いて行けるだろうか？」")
    assert figures["ends_q_excl"] == 1.0
    assert figures["sentence_ends"] > 0


def test_a_two_character_menu_item_is_two_words_and_no_prose():
    figures, stats = _line_figures("新闻")
    assert stats.n_words[0] == 2
    assert figures["is_prose"] == 0.0


def test_devanagari_vowel_signs_stay_inside_their_words():
    _, stats = _line_figures("हिंदी भाषा")
    assert stats.n_words[0] == 2


def test_an_emoji_presentation_selector_is_no_word():
    _, stats = _line_figures("Like ❤️")
    assert stats.n_words[0] == 1


def test_chinese_topic_words_are_pairs_of_characters_the_paragraphs_use():
    overlap = _prose_overlap(
        "首页\n新闻\n\n公园改造完工\n\n"
        "经过两年的施工，湖边的公园改造工程在周五完工，市民可以免费入园散步。\n"
        "公园管理处表示，改造完工后每天接待游客的上限为两万人，需要提前预约。\n"
    )
    assert overlap["公园改造完工"] == 1.0
    assert overlap["首页"] == overlap["新闻"] == 0.0
