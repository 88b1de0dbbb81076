"""Speed and memory of ``clean``, as ratios against reference runs on the same machine.

    python benchmarks/speed.py [--mb 50] [--rounds 3] [--big-mb 200] [--folder-mb 100] [--line-mb 32]
                               [--skip-memory] [--json FILE]

The workload is written to a temporary folder from our own corpus (``corpus/``, labels
stripped): whole documents, in our site styles, cycled until ``--mb`` megabytes, with every
tenth document turned into mojibake (UTF-8 read as Windows-1252, as broken scrapers do) and
every seventh forced to ASCII, so the mix has plain ASCII, real non-ASCII and broken text.

Measured, in this one process unless said otherwise:

* **ftfy alone**: ``ftfy.fix_text`` over the decoded documents (the reference);
* **clean -j 1**: the run engine end to end (read, decode, repair, classify, write);
* **clean -j 2**: the same with two worker processes; the ratio to ``-j 1`` is the scaling.
  Both are measured warm, as in a long run: ``-j 1`` after this process has loaded the model,
  ``-j 2`` after a run of a few files has started joblib's workers (which joblib reuses), so
  the ratio is the steady state; the workers' start (imports and model load, paid once per
  run) is printed on its own, and so is the ratio of a cold ``-j 2`` run with it included;
* **peak memory** (subprocesses, peak RSS of the ``clean`` command, single process): a folder of
  ``--folder-mb`` MB of files, a single file of ``--big-mb`` MB, and a file of one line of
  ``--line-mb`` MB (the same documents with no line breaks: a line is held whole, so memory
  grows with the longest line);
* **start-up**: wall time of ``clean`` on one small file, imports and model load included.

The machine's speed drifts by 10-20% within minutes (a shared cloud host), so the throughput runs
go in ``--rounds`` rounds of ftfy, ``-j 1`` and ``-j 2`` one after the other: each ratio is the
median of its rounds' ratios, printed with its range, and each MB/s the median of its runs.

The figures go in the README with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from itertools import cycle
from pathlib import Path

import ftfy

from cleaner.api import Config
from cleaner.corpus import load_docs
from cleaner.files import plan
from cleaner.run import CHUNK_FILES, RunSettings, run_jobs

ROOT = Path(__file__).resolve().parents[1]


def documents() -> list[str]:
    """Our corpus documents as a scraper would hand them over (labels stripped)."""
    return ["\n".join(doc.raw_lines) + "\n" for doc in load_docs(ROOT / "corpus")]


def vary(text: str, i: int) -> str:
    if i % 10 == 0:
        return text.encode("utf-8").decode("cp1252", errors="replace")  # mojibake
    if i % 7 == 0:
        return text.encode("ascii", errors="ignore").decode("ascii")
    return text


def write_workload(folder: Path, megabytes: float) -> int:
    """Files of our documents under ``folder``, cycled to ``megabytes``; returns the bytes."""
    docs = documents()
    total, i = 0, 0
    while total < megabytes * 1e6:
        data = vary(docs[i % len(docs)], i).encode("utf-8")
        path = folder / f"{i // 1000:03d}" / f"doc{i:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        i += 1
    return total


def time_ftfy(folder: Path) -> float:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]
    start = time.perf_counter()
    for text in texts:
        ftfy.fix_text(text)
    return time.perf_counter() - start


def time_clean(src: Path, dst: Path, jobs: int) -> float:
    shutil.rmtree(dst, ignore_errors=True)
    start = time.perf_counter()
    summary = run_jobs(plan(src, dst), RunSettings(config=Config(), jobs=jobs))
    seconds = time.perf_counter() - start
    if summary.exit_code != 0:
        raise SystemExit(f"clean failed: {summary.describe()}")
    return seconds


def peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """Run ``clean ARGS`` in a child process; its peak RSS (MB) and wall time (s).

    The peak is the child's own ``VmHWM``, read until it exits: ``ru_maxrss`` from ``wait4``
    would count this (larger) process too, as Linux carries a parent's peak into a forked child.
    """
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "cleaner.cli", "clean", "-q", *args])
    status_file = Path(f"/proc/{child.pid}/status")
    peak_kb = 0
    while child.poll() is None:
        with suppress(OSError):
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        time.sleep(0.05)
    if child.returncode != 0:
        raise SystemExit(f"clean {' '.join(args)} failed ({child.returncode})")
    return peak_kb / 1024, time.perf_counter() - start


def _median_and_range(ratios: list[float]) -> str:
    """``median (min-max)`` of per-round ratios, e.g. ``0.52 (0.47-0.55)``."""
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50, help="workload size for the throughput runs")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the throughput runs")
    parser.add_argument("--folder-mb", type=float, default=100)
    parser.add_argument("--big-mb", type=float, default=200)
    parser.add_argument("--line-mb", type=float, default=32)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        size = write_workload(work / "in", args.mb) / 1e6
        few = work / "few"
        # two tasks' worth of files, so that the first -j 2 run starts both workers' cleaners
        for path in sorted((work / "in").rglob("*.txt"))[: 2 * CHUNK_FILES]:
            copy = few / path.relative_to(work / "in")
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
        time_clean(few, work / "few_out1", 1)  # loads the model in this process
        cold_few = time_clean(few, work / "few_out2", 2)  # starts the workers
        workers_start = cold_few - time_clean(few, work / "few_out2", 2)
        rounds = [
            (
                time_ftfy(work / "in"),
                time_clean(work / "in", work / "out1", 1),
                time_clean(work / "in", work / "out2", 2),
            )
            for _ in range(args.rounds)
        ]
        same = all(
            (work / "out1" / p.relative_to(work / "out2")).read_bytes() == p.read_bytes()
            for p in (work / "out2").rglob("*.txt")
        )
        ftfy_s, one, two = (statistics.median(times) for times in zip(*rounds, strict=True))
        results.update(
            workload_mb=round(size, 1),
            rounds=args.rounds,
            ftfy_mb_s=round(size / ftfy_s, 2),
            clean_j1_mb_s=round(size / one, 2),
            clean_j2_mb_s=round(size / two, 2),
            ratio_j1_to_ftfy=_median_and_range([f / o for f, o, _ in rounds]),
            ratio_j2_to_j1=_median_and_range([o / t for _, o, t in rounds]),
            j2_workers_start_s=round(workers_start, 2),
            ratio_j2_to_j1_cold=_median_and_range([o / (t + workers_start) for _, o, t in rounds]),
            j2_output_identical=same,
        )
        small = next((work / "in").rglob("*.txt"))
        startup = sorted(peak_rss_mb([str(small), str(work / f"small{i}.txt")])[1] for i in range(3))
        results["startup_s"] = round(startup[1], 2)
        if not args.skip_memory:
            folder = work / "folder"
            folder.mkdir()
            write_workload(folder, args.folder_mb)
            rss, secs = peak_rss_mb([str(folder), str(work / "folder_out")])
            results.update(folder_mb=args.folder_mb, folder_peak_rss_mb=round(rss), folder_s=round(secs))
            shutil.rmtree(folder)
            shutil.rmtree(work / "folder_out")
            big = work / "big.txt"
            with open(big, "wb") as handle:
                for path in cycle(sorted((work / "in").rglob("*.txt"))):
                    if handle.tell() >= args.big_mb * 1e6:
                        break
                    handle.write(path.read_bytes())
            rss, secs = peak_rss_mb([str(big), str(work / "big_out.txt")])
            results.update(big_file_mb=args.big_mb, big_file_peak_rss_mb=round(rss), big_file_s=round(secs))
            big.unlink()
            line = work / "line.txt"
            with open(line, "wb") as handle:
                for path in cycle(sorted((work / "in").rglob("*.txt"))):
                    if handle.tell() >= args.line_mb * 1e6:
                        break
                    handle.write(b" ".join(path.read_bytes().split()) + b" ")
            rss, secs = peak_rss_mb([str(line), str(work / "line_out.txt")])
            results.update(line_mb=args.line_mb, line_peak_rss_mb=round(rss), line_s=round(secs))
    for key, value in results.items():
        print(f"{key:24} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
