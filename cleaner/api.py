"""The library API: a frozen config, a :class:`Cleaner` holding the model, and ``clean(text)``.

Cleaning is idempotent by construction: a document is cleaned, then its output is cleaned
again, until a pass changes nothing (a fixed point). Each pass only drops or trims lines, so
this ends after a few passes (two for almost every document), and cleaning an output again
returns it unchanged. Lines dropped in a later pass keep that pass's probability and reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cleaner.classify import Decision, classify
from cleaner.decode import decode
from cleaner.lines import to_lines
from cleaner.model import LineModel, load_default_model, load_model
from cleaner.write import render, write_atomic

#: Passes after which cleaning stops even without a fixed point (never reached in our tests).
MAX_PASSES = 8


@dataclass(frozen=True)
class Config:
    """How to clean. ``threshold`` None means the model's validated threshold."""

    threshold: float | None = None
    normalize: bool = False  # ftfy's full normalisation (NFC, straight quotes, half-width)
    model_path: Path | None = None  # a model of your own; loading runs code from it: trust it


@lru_cache(maxsize=4)
def _cached_model(path: Path | None) -> LineModel:
    return load_default_model() if path is None else load_model(path)


class Cleaner:
    """Cleans documents with one loaded model; build one per process and reuse it."""

    def __init__(self, config: Config | None = None, model: LineModel | None = None) -> None:
        self.config = config or Config()
        self.model = model or _cached_model(self.config.model_path)
        self.threshold = self.model.threshold if self.config.threshold is None else self.config.threshold

    def _pass(self, text: str) -> list[Decision]:
        return classify(self.model, to_lines(text, self.config.normalize), self.threshold)

    def explain(self, text: str) -> list[Decision]:
        """The final decision for every input line (see the module docstring on passes)."""
        decisions = self._pass(text)
        for _ in range(MAX_PASSES - 1):
            output = render(decisions)
            again = [d for d in self._pass(output) if d.text]
            kept = [i for i, d in enumerate(decisions) if d.keep]
            if all(new.keep and new.text == decisions[i].text for i, new in zip(kept, again, strict=True)):
                break
            for i, new in zip(kept, again, strict=True):
                old = decisions[i]
                decisions[i] = dataclasses.replace(
                    new, index=old.index, raw=old.raw, trimmed=old.trimmed + new.trimmed
                )
        return decisions

    def clean(self, text: str) -> str:
        """The cleaned text: kept lines, repaired and trimmed, UTF-8-ready, final newline."""
        return render(self.explain(text))

    def clean_bytes(self, data: bytes) -> str:
        """Decode bytes of any encoding (never raising on bad bytes), then clean."""
        return self.clean(decode(data).text)

    def clean_many(self, texts: Iterable[str]) -> Iterator[str]:
        """Clean many texts with this one model, lazily and in order (for Spark/Ray/datatrove
        callers and the command line)."""
        return (self.clean(text) for text in texts)

    clean_batch = clean_many

    def clean_file(self, src: Path, dst: Path) -> None:
        """Clean the file ``src`` into ``dst`` (written atomically; folders created)."""
        write_atomic(Path(dst), self.clean_bytes(Path(src).read_bytes()))


def clean(text: str, config: Config | None = None) -> str:
    """Clean one text with the shipped model (loaded once per process)."""
    return Cleaner(config).clean(text)
