"""Shared fixtures: one Cleaner for the session (the model loads once), and our own test text."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from cleaner import Cleaner
from cleaner.corpus import load_docs

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Our own article text, written for these tests (not in corpus/, not from ../shared).
TITLE = "Harbour town votes to rebuild its storm-damaged sea wall before winter"
STANDFIRST = "Councillors approved the plan late on Tuesday after a four-hour debate."
PARAGRAPHS = (
    "The council of Port Ellery voted seven to two on Tuesday night to rebuild the eastern "
    "section of its sea wall, which partly collapsed during the storms of early March. "
    "Engineers had warned that another winter without repairs could put the fish market "
    "and about forty homes at risk of flooding.",
    "The work will cost an estimated 3.2 million pounds, most of it from a regional "
    "resilience fund, and is expected to begin in late August. Contractors will first "
    "remove the damaged blocks before pouring a new concrete core behind the old facing stones.",
    "Residents who spoke at the meeting were broadly supportive, although several asked "
    "why the repairs had taken so long. The harbour master said temporary barriers had held "
    "during two spring tides but would not survive a serious gale.",
    "Council leader Ruth Amadi said the vote ended months of uncertainty for families living "
    "along the front. She promised monthly updates on the project and a public meeting once "
    "the contractor had been chosen.",
)
SUBHEADING = "Questions over the delay"


def text_nodes(text: str, cuts: list[int]) -> list[str]:
    """``text`` as a renderer that writes each text node on a line of its own leaves it: broken
    before each word numbered in ``cuts`` (where a link or a bold word starts or ends)."""
    words = text.split(" ")
    return [" ".join(words[a:b]) for a, b in pairwise([0, *cuts, len(words)])]


def text_node_page() -> tuple[str, list[str]]:
    """A page as BeautifulSoup's get_text("\\n") writes it, and its article lines: no blank
    lines, a menu, each paragraph broken around links (before every third word that starts in
    lowercase), footer links."""

    def broken(paragraph: str) -> list[str]:
        words = paragraph.split(" ")
        return text_nodes(paragraph, [i for i in range(3, len(words), 3) if words[i][0].islower()])

    content = [TITLE, STANDFIRST, *(piece for paragraph in PARAGRAPHS for piece in broken(paragraph))]
    menu = ["Home", "News", "Sport", "Weather", "Advertisement"]
    footer = ["Share this article", "Facebook", "Twitter", "Email", "Most read", "Contact us"]
    return "\n".join(menu + content + footer) + "\n", content


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.fixture(scope="session")
def late_drops(cleaner: Cleaner) -> list[tuple[str, int, int]]:
    """(text, line, pass) for lines of our held-out documents that a pass after the first drops
    (one line from each of the first three such documents)."""
    docs = load_docs(ROOT / "corpus" / "heldout")
    texts = ["\n".join(doc.raw_lines) + "\n" for doc in docs]
    found = []
    for text, decisions in zip(texts, cleaner.explain_many(texts), strict=True):
        found += [(text, d.index, d.scored_in) for d in decisions if not d.keep and d.scored_in > 1][:1]
        if len(found) == 3:
            break
    assert found, "no held-out document loses a line after its first pass: nothing to check"
    return found


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project (a fresh clone has none)")
    return SHARED


def long_prose(n: int) -> str:
    """``n`` paragraphs of our article, cycled and each made distinct (a paragraph shown twice in
    a document is dropped as a repeat), blank-line separated: only content."""
    return "\n\n".join(f"{PARAGRAPHS[i % 4]} The inquiry sat again on day {i + 1}." for i in range(n)) + "\n"


def article(*inserts: tuple[int, str]) -> str:
    """The test article, blank-line separated, with ``(position, line)`` cruft inserted."""
    blocks = [TITLE, STANDFIRST, PARAGRAPHS[0], PARAGRAPHS[1], SUBHEADING, PARAGRAPHS[2], PARAGRAPHS[3]]
    for position, line in sorted(inserts, key=lambda item: -item[0]):
        blocks.insert(position, line)
    return "\n\n".join(blocks) + "\n"
