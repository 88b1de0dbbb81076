"""Repeats: a paragraph that a document already showed is dropped the second time.

Pages render some paragraphs twice: the summary above the article and again as its first
paragraph, a FAQ block printed once for readers and once more from the page's structured data,
a teaser in a "related" box that is also the article's text, a disclaimer at the top and the
bottom. The copy adds nothing for indexing or training, and the model, which scores each copy
by its place and neighbours, often keeps both. So among the lines a pass kept, every later copy
of a kept paragraph of the same document is dropped (reason ``repeat``); the first kept copy
stays where it is. A file larger than ``--segment-mb`` is cleaned in segments, each a document
of its own, so a copy in another segment is kept (``--dedup`` finds it).

Only paragraphs of at least :data:`MIN_WORDS` words count: shorter lines (list items, table
cells, a song's chorus, "Read more") repeat legitimately. Two paragraphs are the same when they
are equal as the features read them (:func:`cleaner.features.as_read`: a Markdown link as its
words) after case folding and collapsing whitespace.

Measured on the WCXB dev pages (``benchmarks/quality.py``), with the model then shipped
(feature version ``lines-v8``): token F1
0.928 -> 0.933, boilerplate-line removal 0.906 -> 0.914, content-line recall 0.870 unchanged;
on the Markdown rendering (``benchmarks/renderings.py``) F1 0.896 -> 0.901. Applied to the
output only, after the passes, the same rule gave F1 0.932 at 12 words and lost recall (0.869):
the passes that follow it see the page without the copy. There, 8 words gave the same F1 with
recall 0.002 lower (repeated list items, such as the same warm-up in every week of a training
plan), and 20 words an F1 0.001 lower. ``--dedup`` goes further: shorter paragraphs, and repeats
across the documents of a run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from cleaner.features import as_read

#: Lines with fewer words are never dropped as repeats.
MIN_WORDS = 12
#: Whitespace other than a single space (``\s`` is what ``str.split()`` splits on).
_ODD_SPACES = re.compile(r"\s{2,}|[^\S ]")


def paragraph_keys(texts: Sequence[str], n_words: np.ndarray) -> list[str]:
    """What two copies of a paragraph share, for each line of at least :data:`MIN_WORDS` words
    (``n_words``: each line's word count, or any count of at least that for a long line): the
    text as the features read it, whitespace collapsed, case folded; "" for shorter lines. They
    depend on the text alone, so the passes remember them (:class:`cleaner.classify.Memo`).
    Only whitespace other than single spaces is replaced, in place of splitting into words and
    joining them: the list of the words of a line of 30 MB took 390 MB."""
    return [
        _ODD_SPACES.sub(" ", as_read(t)).strip().casefold() if n >= MIN_WORDS else ""
        for t, n in zip(texts, n_words.tolist(), strict=True)
    ]


def later_copies(keys: Sequence[str], keep: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Which kept lines of a batch repeat a kept paragraph earlier in their own document
    (``keys`` from :func:`paragraph_keys`)."""
    later = np.zeros(len(keys), dtype=bool)
    seen: set[tuple[int, str]] = set()
    for i in np.flatnonzero(keep).tolist():
        if not keys[i]:
            continue
        key = (int(doc_ids[i]), keys[i])
        if key in seen:
            later[i] = True
        else:
            seen.add(key)
    return later
