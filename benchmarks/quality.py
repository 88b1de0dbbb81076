"""Quality on real pages: clean a bench set, score it with its own scorer, print a table.

    python benchmarks/quality.py [SET_DIR] [--threshold T] [--model PATH] [--batch-counts] [--json FILE]

SET_DIR defaults to ``../shared/bench/wcxb_dev_inscriptis`` (beside the project root); the
scorer is ``score.py`` in the set's parent folder. The baselines are the figures published in
``../shared/bench/README.md`` for the same set. Without the bench this prints why and exits 0,
so it can run anywhere. It also prints the held-out corpus figures of the same model, and how
much of the gold articles survives when they are given as input on their own (text an article
extractor already cleaned, which ``clean`` should leave nearly whole).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from cleaner import Cleaner, Config
from cleaner.corpus import load_docs
from cleaner.decode import decode
from cleaner.model import read_card
from cleaner.train import evaluate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT.parent / "shared" / "bench" / "wcxb_dev_inscriptis"

#: Published on wcxb_dev_inscriptis (../shared/bench/README.md): token P, R, F1 (micro),
#: content-line recall, boilerplate-line removal.
BASELINES = {
    "keep everything": (0.709, 0.999, 0.829, 1.000, 0.000),
    "C4 line rules": (0.882, 0.854, 0.868, 0.500, 0.927),
    "jusText (wrapped)": (0.833, 0.886, 0.859, 0.730, 0.722),
    "boilerpy3 ArticleExtractor": (0.884, 0.833, 0.858, 0.701, 0.876),
    "trafilatura on text (wrapped)": (0.742, 0.993, 0.849, 0.946, 0.266),
    "trafilatura on original HTML": (0.934, 0.956, 0.945, None, None),
}


def run(set_dir: Path, cleaner: Cleaner, out: Path, batch_counts: bool) -> float:
    """Clean every page of the set into ``out`` (in batches, as ``clean IN OUT`` does, with
    cross-document counts when ``batch_counts``); returns the seconds it took."""
    start = time.perf_counter()
    pages = sorted((set_dir / "in").glob("*.txt"))
    texts = [decode(page.read_bytes()).text for page in pages]
    counts = cleaner.count(texts) if batch_counts else None
    for page, text in zip(pages, cleaner.clean_many(texts, counts), strict=True):
        (out / page.name).write_text(text, encoding="utf-8")
    return time.perf_counter() - start


def _tokens(text: str) -> Counter[str]:
    """The bench scorer's tokens: ``\\w+`` of the NFKC-normalised, lower-cased text."""
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()))


def already_clean(set_dir: Path, cleaner: Cleaner) -> tuple[float, float, int]:
    """Clean each gold article alone, as an extractor would hand it over: the share of its
    tokens and of its non-blank lines that is kept, and how many articles keep less than half
    of their tokens."""
    golds = [page.read_text(encoding="utf-8") for page in sorted((set_dir / "gold").glob("*.txt"))]
    gold_tokens = kept_tokens = gold_lines = kept_lines = halved = 0
    for gold, out in zip(golds, cleaner.clean_many(golds), strict=True):
        given, kept = _tokens(gold), _tokens(out)
        total, overlap = sum(given.values()), sum((given & kept).values())
        gold_tokens, kept_tokens = gold_tokens + total, kept_tokens + overlap
        gold_lines += sum(1 for line in gold.splitlines() if line.strip())
        kept_lines += sum(1 for line in out.splitlines() if line.strip())
        halved += overlap < total / 2
    return kept_tokens / max(gold_tokens, 1), kept_lines / max(gold_lines, 1), halved


def score(set_dir: Path, out: Path, scorer: Path | None = None) -> tuple[dict, list[dict]]:
    """The summary and the per-page scores of the bench's own ``score.py`` (beside ``set_dir``
    unless given)."""
    scorer = scorer or set_dir.parent / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        summary, pages = Path(tmp) / "summary.json", Path(tmp) / "pages.jsonl"
        command = [sys.executable, str(scorer), str(set_dir), str(out), "--json", str(summary)]
        subprocess.run([*command, "--per-doc", str(pages)], check=True, capture_output=True)
        per_page = [json.loads(line) for line in pages.read_text().splitlines() if line]
        return json.loads(summary.read_text()), per_page


def intervals(per_page: list[dict], draws: int = 1000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% intervals of token F1 (micro), content-line recall and boilerplate-line removal over
    pages drawn with replacement: how much the figures could move on another sample of pages
    like these (two models compared on the same pages differ by far less noise). Token overlaps
    come from the scorer's per-page recall, rounded to four places."""
    rng = np.random.default_rng(seed)
    scored = [d for d in per_page if "content_lines" in d]
    tokens = np.array([(d["r"] * d["gold_tokens"], d["out_tokens"], d["gold_tokens"]) for d in per_page])
    fields = ("content_kept", "content_lines", "boiler_dropped", "boiler_lines")
    lines = np.array([[d[field] for field in fields] for d in scored])
    f1, recall, removal = [], [], []
    for _ in range(draws):
        overlap, out, gold = tokens[rng.integers(len(tokens), size=len(tokens))].sum(axis=0)
        f1.append(2 * overlap / (out + gold))
        kept, content, dropped, boiler = lines[rng.integers(len(lines), size=len(lines))].sum(axis=0)
        recall.append(kept / content)
        removal.append(dropped / boiler)
    named = {"token F1": f1, "content-line recall": recall, "boilerplate-line removal": removal}
    return {name: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for name, v in named.items()}


def _fmt(x: float | None) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also save the scorer's summary here")
    parser.add_argument(
        "--batch-counts", action="store_true", help="count lines across the set first (clean --batch-counts)"
    )
    args = parser.parse_args()
    if not (args.set_dir / "in").is_dir() or not (args.set_dir.parent / "score.py").is_file():
        print(f"skipped: no bench set at {args.set_dir} (it lives in ../shared, beside the project)")
        return 0
    cleaner = Cleaner(Config(threshold=args.threshold, model_path=args.model))
    card = read_card() if args.model is None else {}
    with tempfile.TemporaryDirectory() as tmp:
        seconds = run(args.set_dir, cleaner, Path(tmp), args.batch_counts)
        summary, per_page = score(args.set_dir, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    tokens, lines = summary["token_micro"], summary["line"]
    megabytes = sum(p.stat().st_size for p in (args.set_dir / "in").glob("*.txt")) / 1e6
    print(f"{args.set_dir.name}, {date.today()}, model {card.get('model_sha256', str(args.model))[:12]}, "
          f"threshold {cleaner.threshold}, batch counts {'on' if args.batch_counts else 'off'}, "
          f"{megabytes / seconds:.2f} MB/s single process")  # fmt: skip
    print(
        "| system | token P | token R | token F1 (micro) | content-line recall | boilerplate-line removal |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, row in BASELINES.items():
        print(f"| {name} | " + " | ".join(_fmt(x) for x in row) + " |")
    ours = (tokens["p"], tokens["r"], tokens["f1"], lines["content_recall"], lines["boilerplate_removal"])
    print("| **cleaner** | " + " | ".join(f"**{x:.3f}**" for x in ours) + " |")
    print(
        "95% intervals over pages resampled (1,000 draws): "
        + ", ".join(f"{name} {lo:.3f}-{hi:.3f}" for name, (lo, hi) in intervals(per_page).items())
    )
    tokens_kept, lines_kept, halved = already_clean(args.set_dir, cleaner)
    print(f"gold articles as input (already clean): {tokens_kept:.3f} of tokens and {lines_kept:.3f} of "
          f"lines kept; {halved} of {len(per_page)} articles keep less than half their tokens")  # fmt: skip
    heldout = ROOT / "corpus" / "heldout"
    if heldout.is_dir():
        held = evaluate(cleaner, load_docs(heldout))
        print(f"corpus held-out ({held.docs} docs, {held.lines} lines): keep P/R/F1 "
              + "/".join(f"{x:.3f}" for x in held.keep) + ", drop P/R/F1 "
              + "/".join(f"{x:.3f}" for x in held.drop))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
