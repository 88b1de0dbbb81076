"""``--dedup``: drop paragraphs already written earlier in the run.

Cleaning always drops the second copy of a paragraph of 12 words or more within one document
(:mod:`cleaner.repeats`); ``--dedup`` goes further, across the documents of a run and down to
paragraphs of :data:`MIN_WORDS` words.

A paragraph is a non-blank output line of at least :data:`MIN_WORDS` words (shorter lines are
headings, list items and table cells, which repeat legitimately). Two paragraphs are the same
when they are equal after case folding and collapsing whitespace; each is remembered as an
8-byte BLAKE2b digest (about 70 bytes of memory per distinct paragraph, with the set's overhead).

"Earlier" is input order: files in plan order, records in file order, lines in document order
(a paragraph repeated within one document is dropped too). The run applies it to each output,
in the parent process, in that order, however many workers cleaned the files, so the result is
the same for any ``-j`` and backend. An output already there from an earlier run goes through it
too: dropping repeats leaves the set of distinct paragraphs as it was, so an interrupted run that
is run again ends with the same outputs as one that was never interrupted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

#: Lines with fewer words are never dropped as repeats.
MIN_WORDS = 8


@dataclass
class Deduper:
    """The paragraphs seen so far in a run."""

    min_words: int = MIN_WORDS
    seen: set[bytes] = field(default_factory=set)

    def first_time(self, line: str) -> bool:
        """Whether ``line`` is written: not a paragraph, or a paragraph not seen before (then
        it is remembered)."""
        words = line.split()
        if len(words) < self.min_words:
            return True
        key = hashlib.blake2b(" ".join(words).casefold().encode("utf-8", "surrogatepass"), digest_size=8)
        digest = key.digest()
        if digest in self.seen:
            return False
        self.seen.add(digest)
        return True

    def lines(self, lines: Iterable[str], dropped: list[int]) -> Iterator[str]:
        """``lines`` (of cleaned text, without line breaks) without repeated paragraphs, and no
        blank line at either end or twice in a row; ``dropped[0]`` counts the repeats."""
        wrote = pending_blank = False
        for line in lines:
            if not line:
                pending_blank = wrote
            elif self.first_time(line):
                if pending_blank:
                    yield ""
                yield line
                wrote, pending_blank = True, False
            else:
                dropped[0] += 1

    def text(self, text: str) -> tuple[str, int]:
        """A cleaned text without repeated paragraphs, and how many were dropped."""
        dropped = [0]
        kept = list(self.lines(text.split("\n"), dropped))
        return ("\n".join(kept) + "\n" if kept else ""), dropped[0]
