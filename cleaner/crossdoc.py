"""Count repeats across documents: in how many documents of a run each line occurs.

Site boilerplate repeats from page to page ("Advertisement", "Image: AP", a footer), so a
line's frequency across the documents of a run is a strong hint, and the classifier reads it
(the ``log_others`` feature: in how many *other* documents the line occurs). A first pass over
the run counts every line once per document; the second pass cleans with the counts.

The counts live in a count-min sketch: a fixed table of counters (``DEPTH`` rows of ``WIDTH``),
so memory stays the same whatever the size of the run, and sketches of parts of a run counted
in parallel add up to the sketch of the whole. A sketch never undercounts; it overcounts a line
only when every one of its counters is shared with other lines, which at the default width is
rare for runs of up to tens of millions of distinct lines. Lines are keyed as in
:func:`cleaner.features.line_keys`: words in order, lower-cased, digits masked.

Repeating is not enough to be dropped: syndicated articles share whole paragraphs, and the
model is trained with such copies (see :mod:`cleaner.train`), so it drops repeated short
lines that look like page furniture and keeps repeated prose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from cleaner.features import line_keys
from cleaner.lines import split_doc
from cleaner.unwrap import unit_texts

#: Rows and counters per row of the sketch (2 x 2**22 x 4 bytes = 32 MB).
DEPTH = 2
WIDTH = 2**22


@dataclass
class LineCounts:
    """In how many documents each line occurs (a count-min sketch; see the module docstring)."""

    table: np.ndarray = field(default_factory=lambda: np.zeros((DEPTH, WIDTH), dtype=np.uint32))
    documents: int = 0

    def _slots(self, keys: np.ndarray) -> list[np.ndarray]:
        width = self.table.shape[1]
        return [((keys >> np.uint64(21 * row)) % np.uint64(width)).astype(np.int64) for row in range(DEPTH)]

    def add(self, keys: np.ndarray) -> None:
        """Count one document with these line keys (each distinct line once)."""
        keys = np.unique(keys)
        for row, slots in enumerate(self._slots(keys)):
            np.add.at(self.table[row], slots, 1)
        self.documents += 1

    def add_texts(
        self, texts: Iterable[str], normalize: bool = False, join_broken: bool = True
    ) -> LineCounts:
        """Count documents given as text (split, repaired and joined into units as cleaning
        will see them)."""
        for text in texts:
            self.add(line_keys(unit_texts(split_doc(text, normalize).text, join_broken=join_broken)))
        return self

    def merge(self, other: LineCounts) -> LineCounts:
        """The counts of both runs (sketches of parts of a run add up)."""
        return LineCounts(self.table + other.table, self.documents + other.documents)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """In how many counted documents each key occurs (never fewer than the truth)."""
        if len(keys) == 0:
            return np.zeros(0)
        return np.min([self.table[row][slots] for row, slots in enumerate(self._slots(keys))], axis=0).astype(
            np.float64
        )

    def others(self, keys: np.ndarray) -> np.ndarray:
        """In how many *other* counted documents each line of a counted document occurs."""
        return np.maximum(self.lookup(keys) - 1, 0)
