"""What was removed, so nothing disappears silently: ``--removed DIR`` and ``--report FILE``.

Both come from :meth:`cleaner.api.Cleaner.explain_many` (a decision and a reason per line), which
costs a little more than cleaning, so a run explains only when one of them is asked for.

``--removed DIR`` writes, for every cleaned input, a tab-separated file at the output's relative
path under ``DIR`` plus ``.tsv`` (``OUT/a/b.txt`` -> ``DIR/a/b.txt.tsv``). After a header line,
one row per removed line::

    line<TAB>p_keep<TAB>reason<TAB>text                  (a text file)
    record<TAB>line<TAB>p_keep<TAB>reason<TAB>text       (a JSONL file)

``line`` is the 1-based line number in the input file (for JSONL: in the record's text),
``record`` the 0-based index of the record among the file's records, ``p_keep`` the model's
P(keep) with three decimals, ``reason`` the cruft kind (``ad``, ``byline``, ...), and ``text``
the line as it was in the input. Inline cruft cut from a kept line is a row too, with reason
``trimmed`` and the cut text. In ``text``, backslash, tab, CR and LF are written ``\\\\``,
``\\t``, ``\\r`` and ``\\n``.

``--report FILE.jsonl`` writes one JSON object per document (a text file, or a JSONL record):
``path`` (the input), ``record`` and ``line`` (JSONL), ``status``, and for cleaned documents the
counts of non-blank lines ``kept`` and ``dropped``, ``reasons`` (dropped lines by reason),
``dropped_later`` (of the dropped lines, those dropped by a pass after the first, when the
output was cleaned again; ``docs/pipelines.md`` says why a large share is worth a look),
``trimmed`` (kept lines with inline cruft cut), ``unchanged`` (true when nothing was dropped or
trimmed: the document needed no cleaning beyond repairs) and, with ``--dedup``,
``dedup_dropped``. Other statuses: ``kept`` (the output was already there and was not cleaned
again), ``failed`` and ``passed through`` (a bad JSONL record), each with its ``error``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaner.classify import Decision
from cleaner.write import join_lines, render_lines

TEXT_HEADER = "line\tp_keep\treason\ttext\n"
JSONL_HEADER = "record\tline\tp_keep\treason\ttext\n"
TRIMMED = "trimmed"

CLEANED, KEPT, FAILED, PASSED = "cleaned", "kept", "failed", "passed through"


def output_text(decisions: Sequence[Decision]) -> str:
    """The cleaned text the decisions describe: exactly what ``Cleaner.clean`` returns."""
    return join_lines(render_lines([d.text for d in decisions], [d.keep for d in decisions])[0])


@dataclass
class Explained:
    """The decisions of one document, summed over its segments (a large document is cleaned in
    pieces): counts for the report, and the removed lines as TSV rows."""

    kept: int = 0
    dropped: int = 0
    dropped_later: int = 0
    trimmed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rows: list[str] = field(default_factory=list)

    def add(self, decisions: Iterable[Decision], first_line: int = 0, prefix: str = "") -> None:
        """Count a segment whose first line is line ``first_line`` (0-based) of the document;
        each TSV row starts with ``prefix`` (the record column of a JSONL file)."""
        for d in decisions:
            if not d.text:
                continue
            number = first_line + d.index + 1
            if d.keep:
                self.kept += 1
                if d.trimmed:
                    self.trimmed += 1
                    self.rows.append(_row(prefix, number, d.p_keep, TRIMMED, d.trimmed.strip()))
            else:
                self.dropped += 1
                self.dropped_later += d.scored_in > 1
                self.reasons[d.reason] += 1
                self.rows.append(_row(prefix, number, d.p_keep, d.reason, d.raw))

    def counts(self) -> dict[str, Any]:
        """The report fields of a cleaned document."""
        return {
            "kept": self.kept,
            "dropped": self.dropped,
            "reasons": dict(sorted(self.reasons.items())),
            "dropped_later": self.dropped_later,
            "trimmed": self.trimmed,
            "unchanged": not self.dropped and not self.trimmed,
        }


def _row(prefix: str, line: int, p_keep: float, reason: str, text: str) -> str:
    p = "" if math.isnan(p_keep) else f"{p_keep:.3f}"
    return f"{prefix}{line}\t{p}\t{reason}\t{escape(text)}\n"


def escape(text: str) -> str:
    """A TSV field: backslash, tab and line breaks as backslash escapes."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


@dataclass(frozen=True)
class DocReport:
    """The report of one document, made by a worker and written by the run."""

    status: str
    record: int | None = None  # JSONL: index among the file's records
    line: int | None = None  # JSONL: 1-based line number of the record in the file
    counts: dict[str, Any] | None = None
    error: str = ""

    def row(self, path: str, dedup_dropped: int | None = None) -> dict[str, Any]:
        row: dict[str, Any] = {"path": path}
        if self.record is not None:
            row["record"], row["line"] = self.record, self.line
        row["status"] = self.status
        row.update(self.counts or {})
        if dedup_dropped is not None:
            row["dedup_dropped"] = dedup_dropped
        if self.error:
            row["error"] = self.error
        return row


def dump_row(row: dict[str, Any]) -> str:
    """One report line."""
    return json.dumps(row, ensure_ascii=False) + "\n"
