"""The library API: a frozen config, a :class:`Cleaner` holding the model, and ``clean(text)``.

Cleaning is idempotent by construction: a document is cleaned, then its output is cleaned
again, until a pass changes nothing (a fixed point). Each pass only drops or trims lines, so
this ends (see :data:`MAX_PASSES`), and cleaning an output again returns it unchanged. A
pass that would see exactly what the previous one saw is skipped, as its answer is known. The
probability shown for a line is from the last pass that scored it, and :class:`Decision` says
which pass that was: a line dropped in a later pass was kept while the lines that went before it
were there (``cleaner explain`` shows it).

Documents are cleaned in batches (:data:`BATCH_CHARS` characters or :data:`BATCH_DOCS`
documents): one feature matrix and one model call per batch and pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController

from cleaner.classify import BETWEEN_CONTENT, BLANK, CONTENT, IMAGE, REPEAT, Decision, Memo, Scored, score
from cleaner.crossdoc import LineCounts
from cleaner.decode import decode
from cleaner.features import images_only
from cleaner.lines import DocLines, resplit, split_doc
from cleaner.model import LineModel, load_default_model, load_model
from cleaner.write import join_lines, render_lines

if TYPE_CHECKING:
    from cleaner.run import FileResult

#: Passes after which cleaning stops even without a fixed point. Almost every document needs
#: two to six; the most seen on 697 real pages is 48 (a long list at the end of a page, worn
#: away a line a pass). A document that reached this bound would be returned as it stands,
#: without the guarantee that cleaning it again changes nothing.
MAX_PASSES = 256
#: A batch holds documents up to this many characters in all ...
BATCH_CHARS = 1_000_000
#: ... or this many documents.
BATCH_DOCS = 512


@dataclass(frozen=True)
class Config:
    """How to clean. ``threshold`` None means the model's validated threshold."""

    threshold: float | None = None
    normalize: bool = False  # ftfy's full normalisation (NFC, straight quotes, half-width)
    model_path: Path | None = None  # a model of your own; loading runs code from it: trust it
    #: classify a sentence that a renderer broke around its links, one text node per line, as
    #: one unit (:mod:`cleaner.unwrap`); off, every line is read alone, as training reads them
    join_broken: bool = True


@lru_cache(maxsize=4)
def _cached_model(path: Path | None) -> LineModel:
    return load_default_model() if path is None else load_model(path)


@lru_cache(maxsize=1)
def _threads() -> ThreadpoolController:
    """The thread pools of the loaded libraries, found once (finding them takes milliseconds)."""
    return ThreadpoolController()


@dataclass
class _Outcome:
    """The decisions for one document, in the coordinates of its input lines."""

    lines: DocLines
    keep: np.ndarray
    p_keep: np.ndarray
    rescued: np.ndarray
    repeat: np.ndarray
    text: list[str]
    trimmed: list[str]
    settled: list[bool]
    scored_in: np.ndarray  # the 1-based pass that last scored each line (0: blank)

    def output_lines(self) -> tuple[list[str], list[int]]:
        return render_lines(self.text, self.keep)


class Cleaner:
    """Cleans documents with one loaded model; build one per process and reuse it."""

    def __init__(self, config: Config | None = None, model: LineModel | None = None) -> None:
        self.config = config or Config()
        self.model = model or _cached_model(self.config.model_path)
        self.threshold = self.model.threshold if self.config.threshold is None else self.config.threshold

    def _outcomes(self, texts: list[str], counts: LineCounts | None = None) -> list[_Outcome]:
        """Decide every line of a batch of documents, passing again until nothing changes."""
        with _threads().limit(limits=1, user_api="openmp"):
            return self._passes([split_doc(text, self.config.normalize) for text in texts], counts)

    def _passes(self, docs: list[DocLines], counts: LineCounts | None) -> list[_Outcome]:
        """See :meth:`_outcomes`. The tree models run on one OpenMP thread: a batch is small, and
        their threads only fight the other processes of a parallel run (measured: a 1 KB document
        took 2.7 s instead of 6 ms on a busy 2-core machine)."""
        memo = Memo()

        def decide(batch: list[DocLines]) -> list[Scored]:
            return score(self.model, batch, self.threshold, counts, memo, self.config.join_broken)

        outcomes = [
            _Outcome(
                doc, s.keep, s.p_keep, s.rescued, s.repeat,
                list(doc.text), list(doc.trimmed), list(doc.settled),
                np.array([1 if t else 0 for t in doc.text], dtype=np.int64),
            )
            for doc, s in zip(docs, decide(docs), strict=True)
        ]  # fmt: skip
        active = [(o, not all(o.keep[i] for i, t in enumerate(o.text) if t)) for o in outcomes]
        for number in range(2, MAX_PASSES + 1):
            todo = []
            for outcome, dropped in active:
                if not dropped and all(outcome.settled[i] for i in np.flatnonzero(outcome.keep)):
                    continue  # nothing dropped and nothing to repair or trim: a fixed point
                lines, source = outcome.output_lines()
                settled = [s < 0 or outcome.settled[s] for s in source]
                again = resplit(lines, settled, self.config.normalize)
                same = all(again.text[k] == outcome.text[s] for k, s in enumerate(source) if s >= 0)
                if dropped or not same:
                    todo.append((outcome, again, source))
            if not todo:
                break
            scored = decide([again for _, again, _ in todo])
            active = []
            for (outcome, again, source), s in zip(todo, scored, strict=True):
                dropped = False
                for k, i in enumerate(source):
                    if i < 0:
                        continue
                    keep = bool(s.keep[k]) and bool(again.text[k])
                    dropped |= not keep
                    outcome.keep[i], outcome.p_keep[i], outcome.rescued[i] = keep, s.p_keep[k], s.rescued[k]
                    outcome.repeat[i] = s.repeat[k]
                    outcome.scored_in[i] = number
                    if again.text[k]:
                        outcome.text[i] = again.text[k]
                        outcome.trimmed[i] += again.trimmed[k]
                        outcome.settled[i] = again.settled[k]
                active.append((outcome, dropped))
        return outcomes

    def _decisions(self, outcome: _Outcome, reasons: dict[int, str]) -> list[Decision]:
        out = []
        for i, raw in enumerate(outcome.lines.raw):
            if not outcome.lines.text[i]:
                out.append(Decision(i, raw, "", False, float("nan"), BLANK))
                continue
            keep = bool(outcome.keep[i])
            if keep:
                reason = BETWEEN_CONTENT if outcome.rescued[i] else CONTENT
            else:
                reason = REPEAT if outcome.repeat[i] else reasons[i]
            p = float(outcome.p_keep[i])
            scored_in = int(outcome.scored_in[i])
            out.append(Decision(i, raw, outcome.text[i], keep, p, reason, outcome.trimmed[i], scored_in))
        return out

    def count(self, texts: Iterable[str]) -> LineCounts:
        """In how many of ``texts`` each line occurs: pass it to :meth:`clean_many` (a first pass
        over a run; see :mod:`cleaner.crossdoc`)."""
        return LineCounts().add_texts(texts, self.config.normalize, self.config.join_broken)

    def explain_many(
        self, texts: Iterable[str], counts: LineCounts | None = None
    ) -> Iterator[list[Decision]]:
        """The final decision for every input line of each text (see the module docstring);
        ``counts`` from :meth:`count` over the same run lets lines repeated across it count."""
        for batch in _batches(texts):
            for outcome in self._outcomes(batch, counts):
                dropped = [
                    i for i, t in enumerate(outcome.text) if t and not (outcome.keep[i] or outcome.repeat[i])
                ]
                texts = [outcome.text[i] for i in dropped]
                names = [
                    IMAGE if image else name
                    for name, image in zip(self.model.reasons(texts), images_only(texts), strict=True)
                ]
                yield self._decisions(outcome, dict(zip(dropped, names, strict=True)))

    def explain(self, text: str) -> list[Decision]:
        """The final decision for every input line (see the module docstring on passes)."""
        return next(self.explain_many([text]))

    def clean_many(self, texts: Iterable[str], counts: LineCounts | None = None) -> Iterator[str]:
        """Clean many texts with this one model, lazily and in order, in batches (for Spark, Ray
        and datatrove callers and the command line); ``counts`` as for :meth:`explain_many`."""
        for batch in _batches(texts):
            for outcome in self._outcomes(batch, counts):
                yield join_lines(outcome.output_lines()[0])

    clean_batch = clean_many

    def clean(self, text: str) -> str:
        """The cleaned text: kept lines, repaired and trimmed, UTF-8-ready, final newline."""
        return next(self.clean_many([text]))

    def clean_bytes(self, data: bytes) -> str:
        """Decode bytes of any encoding (never raising on bad bytes), then clean."""
        return self.clean(decode(data).text)

    def clean_file(self, src: Path | str, dst: Path | str) -> FileResult:
        """Clean the file ``src`` into ``dst`` in its format (text or JSONL, gzip/zstd, told by
        the name: :mod:`cleaner.formats`), as ``clean SRC DST --overwrite`` would: written
        atomically, folders created. Raises :class:`cleaner.run.CleanFailed`; the result counts
        bad JSONL records (passed through unchanged)."""
        from cleaner.run import clean_file

        return clean_file(self, Path(src), Path(dst))


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    """Consecutive groups of texts of at most BATCH_CHARS characters or BATCH_DOCS texts (a
    longer text forms a batch of its own)."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (size + len(text) > BATCH_CHARS or len(batch) >= BATCH_DOCS):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def clean(text: str, config: Config | None = None) -> str:
    """Clean one text with the shipped model (loaded once per process)."""
    return Cleaner(config).clean(text)
