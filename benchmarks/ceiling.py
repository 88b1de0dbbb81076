"""How far the model could go on a bench set if our corpus were like its pages: a diagnostic.

    python benchmarks/ceiling.py [SET_DIR] [--folds K] [--thresholds T ...] [--jobs N]

The set's pages (default ``../shared/bench/wcxb_dev_inscriptis``) are split into K folds by
their sorted ids (fold k holds every K-th page from the k-th). For each fold a model is trained,
with the shipped recipe, on ``corpus/train`` plus the pages of the other folds, each page a
document of its own site labeled with the set's own line labels (``1`` as ``keep``, ``0`` as
``meta``), and it cleans the pages of its fold. The outputs of all folds are scored together
at each threshold, so every page is cleaned by a model that never saw it but saw the set's idea
of an article: the figures are what this model family, its features and its size, reaches with
training data as close to the set as can be. The gap between them and the shipped model's is
what our corpus does not teach; where they miss a target, no corpus of ours could reach it with
this model. Each fold model is also scored on ``corpus/heldout`` (keep F1), which shows what
training on those pages costs on our own documents.

A diagnostic only: the fold models and the labeled pages live in a temporary folder and are
never written to ``trained/`` or ``corpus/`` (the bench is not ours to train on). Three folds
took 27 minutes on 2 cores, at most 3.2 GB per process. Without the bench this prints why and
exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from joblib import Parallel, delayed
from quality import DEFAULT_SET, ROOT, score

from cleaner import Cleaner, Config
from cleaner.corpus import load_docs
from cleaner.decode import decode
from cleaner.model import LineModel
from cleaner.train import evaluate, train_corpus


def _labeled(labels: str) -> str:
    """A page's ``labels/<id>.tsv`` as a corpus document (``corpus/README.md``)."""
    out = []
    for row in labels.removesuffix("\n").split("\n"):
        label, _, text = row.partition("\t")
        if label == "-" or not text.strip():
            out.append("")
        else:
            out.append(("keep" if label == "1" else "meta") + "\t" + text)
    return "\n".join(out) + "\n"


def _fold_model(set_dir: Path, others: list[str], work: Path) -> LineModel:
    """The shipped recipe trained on ``corpus/train`` and the ``others`` pages."""
    train = work / "train"
    shutil.copytree(ROOT / "corpus" / "train", train)
    for page in others:
        labels = (set_dir / "labels" / f"{page}.tsv").read_text(encoding="utf-8")
        (train / f"en-wcxb{page}-01.tsv").write_text(_labeled(labels), encoding="utf-8")
    model, _ = train_corpus(work)
    return model


def _fold(set_dir: Path, fold: list[str], others: list[str], thresholds: list[float], out: Path) -> float:
    """Train the fold's model, clean the fold's pages at every threshold into ``out/<t>``;
    returns the model's held-out keep F1 on our corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        model = _fold_model(set_dir, others, Path(tmp))
    texts = [decode((set_dir / "in" / f"{page}.txt").read_bytes()).text for page in fold]
    for t in thresholds:
        cleaned = Cleaner(Config(threshold=t), model=model).clean_many(texts)
        for page, text in zip(fold, cleaned, strict=True):
            (out / str(t) / f"{page}.txt").write_text(text, encoding="utf-8")
    return evaluate(Cleaner(model=model), load_docs(ROOT / "corpus" / "heldout")).keep[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.4, 0.3, 0.25, 0.2])
    parser.add_argument("--jobs", type=int, default=2, help="folds trained at once (each uses one core)")
    args = parser.parse_args()
    if not (args.set_dir / "labels").is_dir() or not (args.set_dir.parent / "score.py").is_file():
        print(f"skipped: no bench set at {args.set_dir} (it lives in ../shared, beside the project)")
        return 0
    pages = sorted(p.stem for p in (args.set_dir / "in").glob("*.txt"))
    folds = [pages[k :: args.folds] for k in range(args.folds)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for t in args.thresholds:
            (out / str(t)).mkdir()
        others = [sorted(set(pages) - set(fold)) for fold in folds]
        heldout = Parallel(n_jobs=args.jobs)(
            delayed(_fold)(args.set_dir, fold, rest, args.thresholds, out)
            for fold, rest in zip(folds, others, strict=True)
        )
        print(f"{args.set_dir.name}: {args.folds} folds, each cleaned by a model trained on corpus/train "
              f"and the other folds' pages; held-out keep F1 of the fold models "
              + ", ".join(f"{f:.3f}" for f in heldout))  # fmt: skip
        print("| threshold | token P | token R | token F1 | content-line recall | boilerplate-line removal |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for t in args.thresholds:
            summary, _ = score(args.set_dir, out / str(t))
            tokens, lines = summary["token_micro"], summary["line"]
            row = [tokens[k] for k in ("p", "r", "f1")]
            row += [lines[k] for k in ("content_recall", "boilerplate_removal")]
            print(f"| {t} | " + " | ".join(f"{x:.3f}" for x in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
