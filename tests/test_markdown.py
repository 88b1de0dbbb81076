"""A page as html2text writes it (Markdown links, images, emphasis, a row of icon links): the
article is kept and the page's furniture dropped, as when the page is rendered without markup.

The page is written for this test; it is not in corpus/. Its lines are as long as a page's.
"""
# ruff: noqa: E501

PAGE = """\
[Skip to content](#main)

[![Fernhill Gazette](https://fernhillgazette.example/logo.png)](https://fernhillgazette.example/)

  * [News](https://fernhillgazette.example/news)
  * [Sport](https://fernhillgazette.example/sport)
  * [Opinion](https://fernhillgazette.example/opinion)
  * [Subscribe](https://fernhillgazette.example/subscribe)

[](https://twitter.com/fernhill) [](https://facebook.com/fernhill)

# Ferry timetable cut to four sailings a day from January

_By[Mara Collins](https://fernhillgazette.example/authors/mara)_

_December 1, 2026_

![The Fernhill ferry at its berth](https://fernhillgazette.example/img/ferry.jpg)

_The ferry at Fernhill quay. Photo: Mara Collins_

The island's ferry operator will cut its winter timetable from six sailings a day to four from January, blaming a shortage of licensed crew and the rising price of fuel.

Residents who commute to the mainland say the first boat, now at 6:40, will leave too late for them to reach work by eight.

> "We were told about this in a leaflet, two weeks before Christmas," said Jon Avery, who runs the island's hardware shop.

## What changes

  * The 6:40 and 20:15 sailings are withdrawn.
  * The first boat leaves at 7:30 on weekdays.
  * Saturday sailings are unchanged.

* * *

The operator said the cuts would be reviewed in March.

**Related:**

  * [Island school to close for refurbishment](https://fernhillgazette.example/news/school)
  * [Harbour fees rise for second year](https://fernhillgazette.example/news/harbour)

Share: [Twitter](https://twitter.com/share) | [Facebook](https://facebook.com/share) | [Email](mailto:?subject=Ferry)

© 2026 Fernhill Gazette. All rights reserved. [Privacy](https://fernhillgazette.example/privacy) | [Terms](https://fernhillgazette.example/terms)
"""

ARTICLE = [
    "# Ferry timetable cut to four sailings a day from January",
    "The island's ferry operator will cut its winter timetable from six sailings a day to four from January, blaming a shortage of licensed crew and the rising price of fuel.",
    "Residents who commute to the mainland say the first boat, now at 6:40, will leave too late for them to reach work by eight.",
    '> "We were told about this in a leaflet, two weeks before Christmas," said Jon Avery, who runs the island\'s hardware shop.',
    "## What changes",
    "* The 6:40 and 20:15 sailings are withdrawn.",
    "* The first boat leaves at 7:30 on weekdays.",
    "* Saturday sailings are unchanged.",
    "The operator said the cuts would be reviewed in March.",
]
#: Lines dropped whatever the model says: images (see ``features.images_only``) and lines that
#: show no words (see ``lines.split_doc``).
NO_TEXT = [
    "[![Fernhill Gazette](https://fernhillgazette.example/logo.png)](https://fernhillgazette.example/)",
    "[](https://twitter.com/fernhill) [](https://facebook.com/fernhill)",
    "![The Fernhill ferry at its berth](https://fernhillgazette.example/img/ferry.jpg)",
]
CHROME = [
    "[Skip to content](#main)",
    "  * [News](https://fernhillgazette.example/news)",
    "  * [Sport](https://fernhillgazette.example/sport)",
    "Share: [Twitter](https://twitter.com/share) | [Facebook](https://facebook.com/share) | [Email](mailto:?subject=Ferry)",
]


def test_a_markdown_page_keeps_every_line_of_its_article(cleaner):
    kept = cleaner.clean(PAGE).splitlines()
    assert [line for line in kept if line in ARTICLE] == ARTICLE


def test_a_markdown_page_drops_its_images_and_icon_links(cleaner):
    out = cleaner.clean(PAGE)
    assert all(line in PAGE for line in NO_TEXT)
    assert not any(line.strip() in out for line in NO_TEXT)


def test_a_markdown_page_drops_its_menu_share_row_and_copyright(cleaner):
    kept = set(cleaner.clean(PAGE).splitlines())
    assert all(line in PAGE for line in CHROME)
    assert not any(line.strip() in kept for line in CHROME)
    assert not any(line.startswith("\u00a9") for line in kept)
