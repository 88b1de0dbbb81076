"""Where the time of cleaning goes, stage by stage, against the budget of issue #4's target.

    python benchmarks/stages.py [--mb 10] [--rounds 3]

The target is ``clean -j 1`` at twice the throughput of ``ftfy.fix_text`` alone, so cleaning
may take half of ftfy's time: that is the budget. This script times, in one process, on the
same workload as ``benchmarks/speed.py`` (our corpus's documents, mixed ASCII, non-ASCII and
mojibake, decoded in memory, no file I/O):

* ``ftfy.fix_text`` over every document (the reference), and the budget (half of it);
* each stage before any model runs: split, repair and trim (:func:`cleaner.lines.split_doc`,
  ftfy only on the lines that need it), the line statistics of the text
  (:func:`cleaner.features.line_stats`) and the text model's scores;
* the trees alone, one pass over every line with the features ready (the context model and
  the stacked models of the shipped model);
* one whole pass (:func:`cleaner.classify.score`: features, trees, smoothing, repeats), and
  cleaning to the fixed point (:meth:`cleaner.api.Cleaner.clean_many`), which is what ``clean``
  does to every document.

Each round runs every stage once, and each figure is the median of ``--rounds`` rounds (the
machine's speed drifts within minutes), printed with its share of the budget.
The stages before the model and the trees of one pass are what any faster design of this
pipeline still pays; when they alone exceed the budget, the target cannot be met by tuning.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import ftfy
from speed import write_workload

from cleaner.api import Cleaner
from cleaner.classify import make_batch, score
from cleaner.decode import decode
from cleaner.features import context_matrix, doc_matrix, line_matrix, line_stats
from cleaner.lines import split_doc
from cleaner.model import load_default_model
from cleaner.run import CHUNK_FILES


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10, help="workload size")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    model = load_default_model()
    cleaner = Cleaner(model=model)
    with tempfile.TemporaryDirectory() as tmp:
        size = write_workload(Path(tmp), args.mb) / 1e6
        texts = [decode(p.read_bytes()).text for p in sorted(Path(tmp).rglob("*.txt"))]
    groups = [texts[i : i + CHUNK_FILES] for i in range(0, len(texts), CHUNK_FILES)]  # as run tasks
    docs = [[split_doc(t) for t in group] for group in groups]
    batches = [make_batch(group)[0] for group in docs]
    stats = [line_stats(b.texts) for b in batches]
    scores = [model.text_scores(b.texts) for b in batches]
    contexts = []
    for batch, stat, score_ in zip(batches, stats, scores, strict=True):
        lines = line_matrix(batch, stat)
        x = context_matrix(batch, lines, doc_matrix(batch, lines), score_)
        contexts.append((batch, stat, lines, x, score_))

    def trees() -> None:
        for batch, stat, lines, x, score_ in contexts:
            model.trees(batch, lines, score_, x, stat)

    reference = "ftfy.fix_text, every document (reference)"
    before_trees: dict[str, Callable[[], object]] = {
        "split, repair (ftfy where needed), trim": lambda: [[split_doc(t) for t in g] for g in groups],
        "line statistics": lambda: [line_stats(b.texts) for b in batches],
        "text scores (hashed n-grams, linear model)": lambda: [model.text_scores(b.texts) for b in batches],
    }
    stages: dict[str, Callable[[], object]] = {
        reference: lambda: [ftfy.fix_text(t) for t in texts],
        **before_trees,
        "trees of one pass, features ready": trees,
        "one pass, all in (features, trees, smoothing)": lambda: [
            score(model, d, cleaner.threshold) for d in docs
        ],
        "clean to the fixed point (what clean does)": lambda: [list(cleaner.clean_many(g)) for g in groups],
    }
    runs: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(args.rounds):  # each round runs every stage once, so drift spreads over all
        for name, fn in stages.items():
            runs[name].append(_seconds(fn))
    took = {name: statistics.median(times) for name, times in runs.items()}
    budget = took[reference] / 2
    print(f"workload {size:.1f} MB in {len(texts)} documents; budget at 2x ftfy: {budget:.2f} s")
    print(f"{'stage':48} {'seconds':>8} {'MB/s':>7} {'of budget':>10}")
    for name, seconds in took.items():
        print(f"{name:48} {seconds:8.2f} {size / seconds:7.2f} {seconds / budget:9.0%}")
    before_model = sum(took[name] for name in before_trees)
    print(
        f"{'stages before the trees, together':48} {before_model:8.2f} {size / before_model:7.2f} "
        f"{before_model / budget:9.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
