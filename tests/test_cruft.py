"""Each kind of cruft is dropped from an article while every article line is kept.

The article and the cruft lines are written for these tests; none is in corpus/.
"""

import textwrap

import pytest
from conftest import PARAGRAPHS, STANDFIRST, SUBHEADING, TITLE, article, text_node_page

CONTENT = [TITLE, STANDFIRST, *PARAGRAPHS, SUBHEADING]


CRUFT = {
    "advertisement": [(3, "Advertisement")],
    "image credit": [(3, "Image: Reuters")],
    "photo credit in parentheses": [(4, "(AP Photo/Daniel Okafor)")],
    "byline": [(2, "Reported by: Tomasz Lindqvist")],
    "timestamps at top and bottom": [
        (0, "Updated March 14th, 2023 at 18:05 IST"),
        (99, "Published March 14th, 2023 at 18:05 IST"),
    ],
    "share buttons": [(2, "Share  Tweet  WhatsApp  Email")],
    "also read link": [(4, "Also Read: Ferry services cut as fuel costs climb again")],
    "newsletter prompt": [
        (5, "Sign up for our weekly coastal newsletter and get every story delivered to your inbox.")
    ],
    "inputs credit": [(99, "(With inputs from PTI)")],
}


@pytest.mark.parametrize("kind", sorted(CRUFT))
def test_cruft_line_is_dropped_and_content_kept(cleaner, kind):
    inserts = CRUFT[kind]
    out = cleaner.clean(article(*inserts)).splitlines()
    for _, cruft in inserts:
        assert cruft not in out
    for line in CONTENT:
        assert line in out


def test_nav_menu_and_footer_of_a_whole_page_are_dropped(cleaner):
    nav = [
        "Skip to main content",
        "Home",
        "News",
        "Sport",
        "Business",
        "Weather",
        "Opinion",
        "Home > News > Local",
    ]
    footer = [
        "About us",
        "Contact",
        "Privacy Policy",
        "Terms of Use",
        "© 2024 Ellery Coast Herald. All rights reserved.",
    ]
    page = "\n".join(nav) + "\n\n" + article() + "\n" + "\n".join(footer) + "\n"
    out = cleaner.clean(page).splitlines()
    assert [line for line in out if line in nav + footer] == []
    assert [line for line in CONTENT if line not in out] == []


def _markdown(text: str) -> str:
    """The article as html2text and similar tools render it: a link inside a paragraph, the
    subheading as a Markdown heading, and the same menu as a Markdown list of links."""
    menu = "\n".join(
        f"- [{item}](https://ellery.example/{item.lower()})" for item in ("News", "Sport", "Weather")
    )
    linked = PARAGRAPHS[1].replace(
        "regional resilience fund", "[regional resilience fund](https://ellery.example/fund)"
    )
    return menu + "\n\n" + text.replace(PARAGRAPHS[1], linked).replace(SUBHEADING, "## " + SUBHEADING)


def test_a_markdown_rendering_keeps_the_article_and_drops_the_menu(cleaner):
    out = cleaner.clean(_markdown(article()))
    assert "ellery.example/news" not in out
    assert "[regional resilience fund](https://ellery.example/fund)" in out
    for line in [TITLE, STANDFIRST, PARAGRAPHS[0], PARAGRAPHS[2], PARAGRAPHS[3]]:
        assert line in out


def test_an_article_wrapped_at_78_columns_is_kept_whole(cleaner):
    blocks = article().rstrip("\n").split("\n\n")
    wrapped = "\n\n".join("\n".join(textwrap.wrap(block, 78)) for block in blocks) + "\n"
    assert cleaner.clean(wrapped) == wrapped


def test_a_wrapped_newsletter_prompt_is_dropped_with_all_its_pieces(cleaner):
    prompt = (
        "Sign up for our weekly coastal newsletter and get every story from Port Ellery and the "
        "harbour towns delivered straight to your inbox every Friday morning."
    )
    blocks = article((5, prompt)).rstrip("\n").split("\n\n")
    wrapped = "\n\n".join("\n".join(textwrap.wrap(block, 78)) for block in blocks) + "\n"
    out = cleaner.clean(wrapped)
    assert [piece for piece in textwrap.wrap(prompt, 78) if piece in out] == []
    assert out == wrapped.replace("\n".join(textwrap.wrap(prompt, 78)) + "\n\n", "")


def test_an_article_written_a_text_node_per_line_keeps_every_piece(cleaner):
    page, content = text_node_page()
    assert cleaner.clean(page) == "\n".join(content) + "\n"


def test_mojibake_in_content_is_repaired_in_the_output(cleaner):
    broken = PARAGRAPHS[2].replace("harbour master", "harbourâ€™s master")
    out = cleaner.clean(article((6, broken)))
    assert "harbour’s master" in out
    assert "â€™" not in out


def test_inline_date_prefix_is_trimmed_from_a_kept_paragraph(cleaner):
    text = article().replace(PARAGRAPHS[0], "date 2023-03-14 " + PARAGRAPHS[0])
    out = cleaner.clean(text).splitlines()
    assert PARAGRAPHS[0] in out
    assert not any(line.startswith("date 2023") for line in out)


def test_every_dropped_line_names_a_reason(cleaner):
    text = article((3, "Advertisement"), (2, "Reported by: Tomasz Lindqvist"))
    dropped = [d for d in cleaner.explain(text) if d.text and not d.keep]
    assert dropped
    assert all(d.reason and d.reason not in {"content", "blank"} for d in dropped)
