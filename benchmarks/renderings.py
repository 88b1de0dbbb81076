"""Quality when the same pages are rendered to text another way.

    python benchmarks/renderings.py [SET_DIR] [--model PATH] [--threshold T] [--only NAME ...]

Users feed ``clean`` text from many HTML-to-text tools, and the sets that judge it are rendered
other ways than the bench we see. This re-renders every page of a bench set (default
``../shared/bench/wcxb_dev_inscriptis``) line by line, so each line keeps its gold label, cleans
each rendering with the model and scores it with the bench's own ``score.py``:

* ``as given``: the set itself;
* ``wrapped``: every line broken at 78 columns, as browser dumps (lynx, w3m) and html2text do;
* ``flat``: no blank lines, as tools that write one block per line do;
* ``markdown``: ``-`` list markers, ``#`` headings on short lines after a blank line, and a
  third of the lines with an inline link (``[words](https://...)``), as html2text and
  markdownify write pages;
* ``markdown, wrapped``: both, as html2text's defaults give;
* ``lynx``: a third of the lines with a link numbered in place (``[12]Home``), the numbered
  addresses listed at the end under ``References`` (labelled boilerplate), wrapped at 78
  columns, as ``lynx -dump`` writes pages;
* ``text nodes``: no blank lines, and a third of the lines broken around a link of one to three
  words, each piece on a line of its own, as BeautifulSoup's ``get_text("\\n", strip=True)``
  writes pages.

The renderings are made by rules that do not look at the labels. Link URLs are not in the gold
text, so on the Markdown renderings token precision is lower by construction (a cleaner that
keeps a linked line keeps its URL), and on the lynx rendering a kept line keeps its link numbers.
Without the bench this prints why and exits 0.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

from quality import DEFAULT_SET, run, score

from cleaner import Cleaner, Config

Rows = list[tuple[str, str]]  # (label, line) for every line of a page


def wrapped(rows: Rows) -> Rows:
    out: Rows = []
    for label, line in rows:
        pieces = (
            textwrap.wrap(line, 78, break_long_words=False, break_on_hyphens=False) if line.strip() else []
        )
        out += [(label, piece) for piece in pieces] or [(label, line)]
    return out


def flat(rows: Rows) -> Rows:
    return [(label, line) for label, line in rows if line.strip()]


def _link(text: str, marker: str, rng: random.Random) -> tuple[list[str], int, int, str] | None:
    """Whether a line gets a link (a third do) and where: its words, the linked span (the first one
    to three words after any list ``marker``, or all of a short line) and the link's address."""
    words = text.split(" ")
    if not text.strip() or rng.random() >= 0.3:
        return None
    start = 1 if words[0] in (marker, "") else 0
    end = len(words) if len(words) <= 4 else min(len(words), start + rng.randint(1, 3))
    if start >= end:
        return None
    slug = "-".join(re.findall(r"\w+", " ".join(words[start:end]).lower()))[:40]
    return words, start, end, f"https://www.example.com/{slug}"


def markdown(rows: Rows) -> Rows:
    rng = random.Random(0)
    out: Rows = []
    after_blank = True
    for label, line in rows:
        text = re.sub(r"^(\s*)[*+•] ", r"\1- ", line)
        link = _link(text, "-", rng)
        if link is not None:
            words, start, end, url = link
            text = " ".join([*words[:start], f"[{' '.join(words[start:end])}]({url})", *words[end:]])
        plain = line.strip()
        if (
            after_blank
            and plain
            and len(plain.split()) <= 10
            and plain[-1] not in ".!?:;,"
            and not re.match(r"[*+•-] ", plain)
            and rng.random() < 0.6
        ):
            text = "#" * rng.randint(1, 3) + " " + text.strip()
        out.append((label, text))
        after_blank = not plain
    return out


def lynx(rows: Rows) -> Rows:
    """Links numbered in place (``[12]Home``) with a list of their addresses at the end, as
    ``lynx -dump`` writes pages; lines wrapped as :func:`wrapped` does."""
    rng = random.Random(0)
    out: Rows = []
    urls: list[str] = []
    for label, line in rows:
        text = re.sub(r"^(\s*)[*+•] ", r"\1* ", line)
        link = _link(text, "*", rng)
        if link is not None:
            words, start, _, url = link
            urls.append(url)
            words[start] = f"[{len(urls)}]{words[start]}"
            text = " ".join(words)
        out.append((label, text))
    if urls:
        out += [("-", ""), ("0", "References"), ("-", "")]
        out += [("0", f"{k:4d}. {url}") for k, url in enumerate(urls, start=1)]
    return wrapped(out)


def text_nodes(rows: Rows) -> Rows:
    """Each text node on a line of its own and no blank lines, as BeautifulSoup's
    ``get_text("\\n", strip=True)`` writes a page: in a third of the lines of two words or more,
    one to three words at a random place are a link, which breaks the line around it."""
    rng = random.Random(0)
    out: Rows = []
    for label, line in flat(rows):
        words = line.split()
        if len(words) < 2 or rng.random() >= 0.3:
            out.append((label, line.strip()))
            continue
        size = rng.randint(1, min(3, len(words) - 1))
        start = rng.randint(0, len(words) - size)
        for part in (words[:start], words[start : start + size], words[start + size :]):
            if part:
                out.append((label, " ".join(part)))
    return out


RENDERINGS: dict[str, Callable[[Rows], Rows]] = {
    "as given": lambda rows: rows,
    "wrapped": wrapped,
    "flat": flat,
    "markdown": markdown,
    "markdown, wrapped": lambda rows: wrapped(markdown(rows)),
    "lynx": lynx,
    "text nodes": text_nodes,
}


def render(set_dir: Path, into: Path, how: Callable[[Rows], Rows]) -> None:
    """Write ``in/``, ``labels/`` and ``gold/`` of the set rendered by ``how`` under ``into``."""
    for sub in ("in", "labels", "gold"):
        (into / sub).mkdir(parents=True)
    for labels in sorted((set_dir / "labels").glob("*.tsv")):
        rows = [raw.partition("\t") for raw in labels.read_text(encoding="utf-8").split("\n")[:-1]]
        rendered = how([(label, line) for label, _, line in rows])
        (into / "labels" / labels.name).write_text("".join(f"{a}\t{b}\n" for a, b in rendered), "utf-8")
        (into / "in" / f"{labels.stem}.txt").write_text("".join(f"{b}\n" for _, b in rendered), "utf-8")
        gold = set_dir / "gold" / f"{labels.stem}.txt"
        (into / "gold" / gold.name).write_bytes(gold.read_bytes())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set_dir", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--only", nargs="*", choices=sorted(RENDERINGS), default=None)
    args = parser.parse_args()
    scorer = args.set_dir.parent / "score.py"
    if not (args.set_dir / "labels").is_dir() or not scorer.is_file():
        print(
            f"skipped: no bench set with labels at {args.set_dir} (it lives in ../shared, beside the project)"
        )
        return 0
    cleaner = Cleaner(Config(threshold=args.threshold, model_path=args.model))
    print(f"{args.set_dir.name} re-rendered; threshold {cleaner.threshold}")
    print("| rendering | token P | token R | token F1 (micro) | content-line recall | boilerplate removal |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in args.only or RENDERINGS:
        with tempfile.TemporaryDirectory() as tmp:
            rendered, out = Path(tmp) / "set", Path(tmp) / "out"
            render(args.set_dir, rendered, RENDERINGS[name])
            out.mkdir()
            run(rendered, cleaner, out, batch_counts=False)
            summary, _ = score(rendered, out, scorer)
        tokens, lines = summary["token_micro"], summary["line"]
        row = (tokens["p"], tokens["r"], tokens["f1"], lines["content_recall"], lines["boilerplate_removal"])
        print(f"| {name} | " + " | ".join(f"{x:.3f}" for x in row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
