"""Fuzz the file path: many generated inputs through the run engine, counting crashes.

    python benchmarks/fuzz.py [--count N] [--seed S] [--jobs J] [--huge]

Each input is a file: random bytes, text in many encodings (with and without byte-order marks,
mixed within one file, cut mid-character), control characters and NULs, mixed and CR-only line
ends, huge lines, and random mixes of real corpus lines. All of them are cleaned by
:func:`cleaner.run.run_jobs` twice, once whole and once in tiny segments (so the large-file
path with its incremental decoding runs on every input too).

A *crash* is an exception that escapes the run, a file failed with an internal error, or an
output that is not UTF-8 ending in exactly one newline (or empty). Files refused as binary are
expected and counted apart. Outputs of files cleaned whole are cleaned again: a change there
is a failure of the cleaner's idempotence, also counted apart. The default run takes about a
minute on two cores.

``--huge`` also runs ``clean`` on a 100 MB single line and on a 200 MB file of ordinary lines,
each in a fresh process, and prints their time and peak memory (RSS); it adds several minutes.
"""

from __future__ import annotations

import argparse
import codecs
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cleaner.files import plan
from cleaner.run import FAILED, FileResult, RunSettings, run_jobs

ROOT = Path(__file__).resolve().parents[1]
ENCODINGS = (
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "cp1252",
    "latin-1", "cp1251", "koi8-r", "shift_jis", "euc-kr", "gb18030", "big5", "iso-8859-7",
)  # fmt: skip
NEWLINES = ("\n", "\r\n", "\r")
CONTROLS = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85, 0x2028, 0xFEFF, 0xFFFD]))
#: Segment size of the second pass: small, so most inputs are cut into several segments.
TINY_SEGMENT = 256


def corpus_lines() -> list[str]:
    """Real scraped lines (content and cruft) from the labeled corpus, or a few of our own."""
    lines = [
        line.partition("\t")[2]
        for path in sorted((ROOT / "corpus").rglob("*.tsv"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    ]
    return lines or ["The council voted on Tuesday to rebuild the sea wall.", "Advertisement", "Share"]


def random_text(rng: random.Random, lines: list[str]) -> str:
    """Corpus lines and noise, with mixed line ends and sometimes control characters."""
    out = []
    for _ in range(rng.randint(0, 40)):
        kind = rng.random()
        if kind < 0.6:
            line = rng.choice(lines)
        elif kind < 0.7:
            line = ""
        elif kind < 0.85:
            line = "".join(
                chr(rng.choice([rng.randint(32, 0x2FF), rng.randint(0x400, 0x9FFF)])) for _ in range(40)
            )
        else:
            line = "".join(rng.choice(CONTROLS + "ab ") for _ in range(rng.randint(1, 20)))
        if rng.random() < 0.1:
            at = rng.randint(0, len(line))
            line = line[:at] + rng.choice(CONTROLS) + line[at:]
        out.append(line + rng.choice(NEWLINES))
    return "".join(out)


def generate(rng: random.Random, lines: list[str]) -> bytes:
    """One fuzz input (see the module docstring for the kinds)."""
    kind = rng.randrange(9)
    if kind == 0:
        return rng.randbytes(rng.choice([0, 1, 2, 7, 100, 5000]))
    if kind == 1:
        return random_text(rng, lines).encode(rng.choice(ENCODINGS), errors="replace")
    if kind == 2:  # several encodings in one file
        parts = (random_text(rng, lines).encode(rng.choice(ENCODINGS), errors="replace") for _ in range(3))
        return b"".join(parts)
    if kind == 3:  # cut mid-character, or with a stray byte-order mark inside
        data = random_text(rng, lines).encode(rng.choice(("utf-8", "utf-16", "utf-32")))
        data = data[: rng.randint(0, len(data))]
        return data + rng.choice([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\xc3", b"\xe2\x80"])
    if kind == 4:  # a huge line, with or without a line end
        return ((rng.choice(lines) + " ") * rng.randint(200, 2000) + rng.choice(["", "\n"])).encode()
    if kind == 5:  # text and binary mixed
        text = random_text(rng, lines).encode()
        at = rng.randint(0, len(text))
        return text[:at] + rng.randbytes(rng.randint(1, 64)) + text[at:]
    if kind == 6:  # NUL runs
        return random_text(rng, lines).encode().replace(b" ", b"\x00" * rng.randint(1, 3), rng.randint(1, 5))
    if kind == 7:  # only whitespace and line ends
        return "".join(
            rng.choice([" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\f"]) for _ in range(100)
        ).encode()
    return random_text(rng, lines).encode()


def is_crash(result: FileResult) -> bool:
    return result.status == FAILED and "binary" not in result.error


def valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return data == b"" or (data.endswith(b"\n") and not data.endswith(b"\n\n"))


def fuzz(count: int, seed: int, jobs: int) -> int:
    """Run ``count`` inputs; print the figures; return the number of crashes."""
    rng = random.Random(seed)
    lines = corpus_lines()
    started = time.monotonic()
    crashes: list[str] = []
    refused = not_idempotent = 0
    with tempfile.TemporaryDirectory(prefix="cleaner-fuzz-") as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        total_bytes = 0
        for i in range(count):
            data = generate(rng, lines)
            total_bytes += len(data)
            (src / f"{i:06d}.txt").write_bytes(data)
        for segment, name in ((RunSettings().segment_bytes, "whole"), (TINY_SEGMENT, "segmented")):
            out = Path(tmp) / name
            found: list[FileResult] = []
            try:
                settings = RunSettings(jobs=jobs, segment_bytes=segment)
                summary = run_jobs(plan(src, out), settings, found.append)
            except Exception as exc:  # the run itself died: every input of it counts
                crashes.append(f"{name}: run died: {type(exc).__name__}: {exc}")
                continue
            crashes += [f"{name}: {r.line}" for r in found if is_crash(r)]
            if name == "whole":
                refused = summary.failed - sum(map(is_crash, found))
            for path in sorted(out.iterdir()):
                if not valid(path.read_bytes()):
                    crashes.append(f"{name}: {path.name}: output is not UTF-8 ending in one newline")
        whole = Path(tmp) / "whole"
        again = run_jobs(plan(whole, Path(tmp) / "again"), RunSettings(jobs=jobs))
        crashes += [f"again: {line}" for line in again.first_errors]
        for path in sorted(whole.iterdir()):
            if (Path(tmp) / "again" / path.name).read_bytes() != path.read_bytes():
                not_idempotent += 1
    seconds = time.monotonic() - started
    print(
        f"fuzz: {count} inputs tried ({total_bytes / 1e6:.1f} MB), each cleaned whole and in "
        f"{TINY_SEGMENT}-character segments: {len(crashes)} crashes; {refused} refused as binary; "
        f"{not_idempotent} outputs changed when cleaned again; {seconds:.0f} s (seed {seed})"
    )
    for line in crashes[:20]:
        print(f"  crash: {line}")
    return len(crashes)


#: Runs ``clean SRC DST -q`` (argv[1:]) and reports its peak RSS when it exits. VmHWM is reset
#: by exec, unlike ru_maxrss, which would also count the parent's memory at fork time.
_MEASURED = """
import atexit, resource, sys
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
def peak():
    status = open("/proc/self/status").read()
    sys.stderr.write("peak-rss-kb " + status.split("VmHWM:")[1].split()[0] + "\\n")
atexit.register(peak)
if sys.argv.pop(1) == "alone":  # the run engine with a pass-through cleaner: its own memory
    import cleaner.run
    class PassThrough:
        def clean_many(self, texts):
            return (t.strip() + "\\n" if t.strip() else "" for t in texts)
    cleaner.run._cleaner = lambda config: PassThrough()
from cleaner.cli import clean_command
clean_command(sys.argv[1:] + ["-q"])
"""


def huge(tmp: Path, limit: int) -> None:
    """Clean a 100 MB single line and a 200 MB multi-line file in fresh processes, with the real
    cleaner and with a pass-through one (the run engine alone); print time and peak RSS of each.
    Each process may map at most ``limit`` bytes, so a cleaner that needs too much memory fails
    with an error instead of pushing the machine into swap or the OOM killer."""
    line = "The council voted on Tuesday night to rebuild the eastern section of its sea wall. "
    article = "\n".join(corpus_lines()[:400]) + "\n\n"
    cases = {
        "100 MB single line": lambda: (line * (100_000_000 // len(line))).encode(),
        "200 MB of lines": lambda: (article * (200_000_000 // len(article))).encode(),
    }
    for name, make in cases.items():
        src = tmp / "huge.txt"
        src.write_bytes(make())
        for mode in ("alone", "cleaner"):
            out = tmp / "huge.out"
            out.unlink(missing_ok=True)
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-c", _MEASURED, str(limit), mode, str(src), str(out)],
                stderr=subprocess.PIPE, text=True, check=False,
            )  # fmt: skip
            seconds = time.monotonic() - started
            peak = [int(w.split()[1]) for w in proc.stderr.splitlines() if w.startswith("peak-rss-kb")]
            errors = [w for w in proc.stderr.splitlines() if w.startswith("clean: error")]
            what = "run engine alone" if mode == "alone" else "with the cleaner"
            print(
                f"huge: {name}, {what}: exit {proc.returncode}, {seconds:.0f} s, "
                f"peak RSS {peak[0] / 1024 if peak else float('nan'):.0f} MB, "
                f"output {out.stat().st_size / 1e6 if out.exists() else 0:.1f} MB"
                + (f"; {errors[0]}" if errors else "")
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1500, help="inputs to generate (default 1500)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--huge", action="store_true", help="also the 100 MB line and the 200 MB file")
    parser.add_argument(
        "--memory-limit-gb", type=float, default=6.0, help="address-space limit of each --huge run"
    )
    args = parser.parse_args()
    crashes = fuzz(args.count, args.seed, args.jobs)
    if args.huge:
        with tempfile.TemporaryDirectory(prefix="cleaner-huge-") as tmp:
            huge(Path(tmp), int(args.memory_limit_gb * (1 << 30)))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
