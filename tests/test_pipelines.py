"""Issue #6, cleaner in real pipelines: JSONL and compressed files, standard input, batch counts,
--report/--removed, --dedup, --shard and the library's clean_file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard
from click.testing import CliRunner
from conftest import PARAGRAPHS, TITLE, article, long_prose
from threadpoolctl import threadpool_limits

from cleaner.cli import clean_command
from cleaner.dedup import Deduper
from cleaner.files import plan, shard, shard_of
from cleaner.run import CleanFailed, RunSettings, count_run, run_jobs

DIRTY = article((3, "Advertisement"), (0, "Image: AP"))
#: A line the model keeps in one page, but drops once it repeats across the pages of a run.
SITE_LINE = "Harbour news from the coast desk"


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with threadpool_limits(limits=1):
        yield


def _cli(*args: object, input: bytes | None = None):
    return CliRunner().invoke(clean_command, [str(a) for a in args], input=input)


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("clean: error:")]


def _site_pages(n: int = 6) -> list[str]:
    """Pages of one site: different articles (titles) sharing one site line."""
    return [article((1, SITE_LINE)).replace("Harbour town", f"Harbour town {i}") for i in range(n)]


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _records(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines()]


# --- JSONL ------------------------------------------------------------------------------------


def test_jsonl_text_field_is_cleaned_and_other_fields_pass_through_in_order(tmp_path, cleaner):
    records = [
        {"id": i, "url": f"https://example.org/{i}", "text": DIRTY, "meta": {"n": 10**30}} for i in range(3)
    ]
    (tmp_path / "in.jsonl").write_bytes(_jsonl(records))
    assert _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--no-batch-counts").exit_code == 0
    out = _records((tmp_path / "out.jsonl").read_bytes())
    assert out == [{**r, "text": cleaner.clean(DIRTY)} for r in records]
    assert [list(r) for r in out] == [["id", "url", "text", "meta"]] * 3


def test_text_field_option_names_the_field_to_clean(tmp_path, cleaner):
    (tmp_path / "in.jsonl").write_bytes(_jsonl([{"text": "kept as is", "body": DIRTY}]))
    _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--text-field", "body")
    assert _records((tmp_path / "out.jsonl").read_bytes()) == [
        {"text": "kept as is", "body": cleaner.clean(DIRTY)}
    ]


def test_bad_jsonl_line_is_passed_through_named_by_file_and_line_and_the_rest_cleaned(tmp_path, cleaner):
    good = json.dumps({"text": DIRTY})
    (tmp_path / "in.jsonl").write_text(
        f'{good}\n{{"text": broken\n{{"no_text": 1}}\n{good}\n', encoding="utf-8"
    )
    result = _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--no-batch-counts")
    assert result.exit_code == 1
    errors = _errors(result)
    assert (
        len(errors) == 2
        and "in.jsonl:2: not valid JSON" in errors[0]
        and "in.jsonl:3: field 'text'" in errors[1]
    )
    assert "1 cleaned" in result.stderr and "2 bad JSONL records passed through unchanged" in result.stderr
    lines = (tmp_path / "out.jsonl").read_bytes().splitlines()
    assert lines[1:3] == [b'{"text": broken', b'{"no_text": 1}']
    assert [json.loads(lines[i])["text"] for i in (0, 3)] == [cleaner.clean(DIRTY)] * 2


def test_blank_lines_in_jsonl_are_not_records(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(b'{"text": "a"}\n\n  \n{"text": "b"}\n')
    result = _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--threshold", "0")
    assert result.exit_code == 0, result.output
    assert _records((tmp_path / "out.jsonl").read_bytes()) == [{"text": "a\n"}, {"text": "b\n"}]


def test_jsonl_record_larger_than_a_segment_is_cleaned_in_segments(tmp_path):
    prose = long_prose(16)
    (tmp_path / "in.jsonl").write_bytes(_jsonl([{"text": prose}]))
    result = _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--segment-mb", 0.001)
    assert result.exit_code == 0, result.output
    assert _records((tmp_path / "out.jsonl").read_bytes()) == [{"text": prose}]


def test_jsonl_on_standard_input_with_format_option(cleaner):
    result = _cli("-", "-", "--format", "jsonl", input=_jsonl([{"id": 1, "text": DIRTY}]))
    assert result.exit_code == 0, result.output
    assert _records(result.stdout_bytes) == [{"id": 1, "text": cleaner.clean(DIRTY)}]


# --- compression --------------------------------------------------------------------------------

_COMPRESS = {"gz": lambda b: gzip.compress(b), "zst": lambda b: zstandard.ZstdCompressor().compress(b)}
_DECOMPRESS = {
    "gz": gzip.decompress,
    "zst": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
}


@pytest.mark.parametrize("suffix", ["gz", "zst"])
@pytest.mark.parametrize("kind", ["txt", "jsonl"])
def test_compressed_input_gives_output_compressed_the_same_way(tmp_path, suffix, kind):
    data = DIRTY.encode("utf-8") if kind == "txt" else _jsonl([{"text": DIRTY}] * 2)
    src = tmp_path / "in"
    src.mkdir()
    (src / f"x.{kind}").write_bytes(data)
    (src / f"x.{kind}.{suffix}").write_bytes(_COMPRESS[suffix](data))
    assert _cli(src, tmp_path / "out", "--no-batch-counts").exit_code == 0
    plain = (tmp_path / "out" / f"x.{kind}").read_bytes()
    assert _DECOMPRESS[suffix]((tmp_path / "out" / f"x.{kind}.{suffix}").read_bytes()) == plain


@pytest.mark.parametrize("suffix", ["gz", "zst"])
def test_compressed_output_is_the_same_bytes_every_run(tmp_path, suffix):
    (tmp_path / f"x.txt.{suffix}").write_bytes(_COMPRESS[suffix](DIRTY.encode("utf-8")))
    for name in ("a", "b"):
        _cli(tmp_path / f"x.txt.{suffix}", tmp_path / name / f"x.txt.{suffix}")
    assert (tmp_path / "a" / f"x.txt.{suffix}").read_bytes() == (
        tmp_path / "b" / f"x.txt.{suffix}"
    ).read_bytes()


@pytest.mark.parametrize("damage", ["truncated", "not compressed"])
def test_damaged_compressed_file_fails_with_one_line_naming_it(tmp_path, damage):
    data = gzip.compress(DIRTY.encode("utf-8") * 20)
    (tmp_path / "x.txt.gz").write_bytes(data[: len(data) // 2] if damage == "truncated" else DIRTY.encode())
    result = _cli(tmp_path / "x.txt.gz", tmp_path / "y.txt.gz")
    assert result.exit_code == 1
    errors = _errors(result)
    assert len(errors) == 1 and "x.txt.gz" in errors[0] and "Traceback" not in result.output
    assert not (tmp_path / "y.txt.gz").exists()


# --- batch counts -----------------------------------------------------------------------------


def _folder(tmp_path: Path, texts: list[str], name: str = "in") -> Path:
    src = tmp_path / name
    src.mkdir()
    for i, text in enumerate(texts):
        (src / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return src


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_run_cleans_with_counts_over_all_its_documents(tmp_path, cleaner):
    pages = _site_pages()
    src = _folder(tmp_path, pages)
    assert _cli(src, tmp_path / "out", "--batch-counts").exit_code == 0
    expected = list(cleaner.clean_many(pages, cleaner.count(pages)))
    assert [(tmp_path / "out" / f"{i:02d}.txt").read_text(encoding="utf-8") for i in range(6)] == expected
    assert SITE_LINE not in expected[0] and SITE_LINE in cleaner.clean(pages[0])


def test_without_batch_counts_each_document_is_cleaned_on_its_own_by_default(tmp_path, cleaner):
    src = _folder(tmp_path, _site_pages())
    assert _cli(src, tmp_path / "out").exit_code == 0
    assert _cli(src, tmp_path / "out2", "--no-batch-counts").exit_code == 0
    for out in ("out", "out2"):
        assert SITE_LINE in (tmp_path / out / "00.txt").read_text(encoding="utf-8")


def test_jsonl_records_of_one_file_are_counted_together(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(_jsonl([{"text": page} for page in _site_pages()]))
    _cli(tmp_path / "in.jsonl", tmp_path / "out.jsonl", "--batch-counts")
    assert not any(SITE_LINE in r["text"] for r in _records((tmp_path / "out.jsonl").read_bytes()))


def test_counts_from_parallel_shares_add_up_to_the_counts_of_the_whole(tmp_path, cleaner):
    pages = [*_site_pages(5), DIRTY]
    src = _folder(tmp_path, pages)
    counts = count_run(plan(src, tmp_path / "out"), RunSettings(jobs=2, batch_counts=True))
    expected = cleaner.count(pages)
    assert counts.documents == expected.documents and (counts.table == expected.table).all()


def test_parallel_run_with_counts_gives_the_same_bytes_as_serial(tmp_path):
    src = _folder(tmp_path, _site_pages(8) + [DIRTY] * 3)
    for jobs in (1, 2):
        assert _cli(src, tmp_path / f"out{jobs}", "-j", jobs, "--batch-counts").exit_code == 0
    assert _outputs(tmp_path / "out1") == _outputs(tmp_path / "out2")


# --- --removed and --report ------------------------------------------------------------------------


def test_removed_lists_each_dropped_line_with_its_number_score_and_reason(tmp_path):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    assert _cli(tmp_path / "x.txt", tmp_path / "out" / "x.txt", "--removed", tmp_path / "rm").exit_code == 0
    rows = (tmp_path / "rm" / "x.txt.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "line\tp_keep\treason\ttext"
    lines = DIRTY.splitlines()
    for row in rows[1:]:
        number, p_keep, reason, text = row.split("\t")
        assert lines[int(number) - 1] == text and 0 <= float(p_keep) < 0.5 and reason
    assert [row.split("\t")[3] for row in rows[1:]] == ["Image: AP", "Advertisement"]


def test_removed_lists_the_second_copy_of_a_paragraph_as_a_repeat(tmp_path):
    text = article((5, PARAGRAPHS[0]))
    (tmp_path / "x.txt").write_text(text, encoding="utf-8")
    assert _cli(tmp_path / "x.txt", tmp_path / "out" / "x.txt", "--removed", tmp_path / "rm").exit_code == 0
    rows = (tmp_path / "rm" / "x.txt.tsv").read_text(encoding="utf-8").splitlines()[1:]
    lines = text.splitlines()
    second = lines.index(PARAGRAPHS[0], lines.index(PARAGRAPHS[0]) + 1)
    found = [(int(n), reason, line) for n, _, reason, line in (row.split("\t") for row in rows)]
    assert found == [(second + 1, "repeat", PARAGRAPHS[0])]


def test_removed_line_numbers_are_the_input_files_when_it_is_cleaned_in_segments(tmp_path):
    prose = long_prose(8).strip().split("\n\n")
    text = "\n\n".join([*prose[:4], "Advertisement", *prose[4:], "Advertisement"]) + "\n"
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    _cli(tmp_path / "big.txt", tmp_path / "out.txt", "--removed", tmp_path / "rm", "--segment-mb", 0.001)
    rows = (tmp_path / "rm" / "out.txt.tsv").read_text(encoding="utf-8").splitlines()[1:]
    lines = text.splitlines()
    assert [int(row.split("\t")[0]) for row in rows] == [
        i + 1 for i, line in enumerate(lines) if line == "Advertisement"
    ]


def test_removed_rows_of_a_jsonl_file_name_the_record(tmp_path):
    (tmp_path / "x.jsonl").write_bytes(_jsonl([{"text": article()}, {"text": DIRTY}]))
    _cli(tmp_path / "x.jsonl", tmp_path / "out" / "x.jsonl", "--removed", tmp_path / "rm")
    rows = (tmp_path / "rm" / "x.jsonl.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "record\tline\tp_keep\treason\ttext"
    assert [(r.split("\t")[0], r.split("\t")[4]) for r in rows[1:]] == [
        ("1", "Image: AP"),
        ("1", "Advertisement"),
    ]


def test_report_has_one_row_per_document_with_counts_by_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(DIRTY, encoding="utf-8")
    (src / "b.jsonl").write_bytes(_jsonl([{"text": article()}, {"text": DIRTY}]) + b"oops\n")
    _cli(src, tmp_path / "out", "--report", tmp_path / "report.jsonl")
    rows = _records((tmp_path / "report.jsonl").read_bytes())
    assert [(r["path"], r.get("record"), r["status"]) for r in rows] == [
        (str(src / "a.txt"), None, "cleaned"),
        (str(src / "b.jsonl"), 0, "cleaned"),
        (str(src / "b.jsonl"), 1, "cleaned"),
        (str(src / "b.jsonl"), 2, "passed through"),
    ]
    content = len([line for line in article().splitlines() if line])
    same = {key: value for key, value in rows[2].items() if key not in ("record", "line")}
    assert rows[0] == same | {"path": str(src / "a.txt")}
    assert rows[2] == {
        "path": str(src / "b.jsonl"), "record": 1, "line": 2, "status": "cleaned",
        "kept": content, "dropped": 2, "reasons": {"ad": 1, "credit": 1}, "dropped_later": 0, "trimmed": 0,
        "unchanged": False,
    }  # fmt: skip
    assert rows[1]["unchanged"] and rows[3]["line"] == 3 and "not valid JSON" in rows[3]["error"]


def test_report_counts_the_lines_dropped_after_the_first_pass(tmp_path, cleaner, late_drops):
    text = late_drops[0][0]
    (tmp_path / "page.txt").write_text(text, encoding="utf-8")
    _cli(tmp_path / "page.txt", tmp_path / "out.txt", "--report", tmp_path / "report.jsonl")
    (row,) = _records((tmp_path / "report.jsonl").read_bytes())
    later = sum(1 for d in cleaner.explain(text) if not d.keep and d.scored_in > 1)
    assert row["dropped_later"] == later >= 1


def test_report_names_failed_files_and_outputs_that_were_already_there(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(DIRTY, encoding="utf-8")
    (src / "blob.bin").write_bytes(b"\x00\x01\x02\x03" * 50)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("earlier\n", encoding="utf-8")
    _cli(src, tmp_path / "out", "--report", tmp_path / "report.jsonl")
    rows = _records((tmp_path / "report.jsonl").read_bytes())
    assert [r["status"] for r in rows] == ["kept", "failed"] and "binary" in rows[1]["error"]


def test_explaining_run_writes_the_same_outputs_as_a_plain_run(tmp_path):
    src = _folder(tmp_path, [*_site_pages(4), DIRTY, article((2, "Share this article"))])
    _cli(src, tmp_path / "plain")
    _cli(src, tmp_path / "explained", "--report", tmp_path / "r.jsonl", "--removed", tmp_path / "rm")
    assert _outputs(tmp_path / "plain") == _outputs(tmp_path / "explained")


# --- --dedup ----------------------------------------------------------------------------------


def test_dedup_drops_paragraphs_written_earlier_in_input_order(tmp_path, cleaner):
    first = "\n\n".join([TITLE, PARAGRAPHS[0], PARAGRAPHS[1]]) + "\n"  # the title has 12 words
    second = "\n\n".join([TITLE, PARAGRAPHS[1].upper().replace(" ", "  "), PARAGRAPHS[2]]) + "\n"
    src = _folder(tmp_path, [first, second])
    result = _cli(src, tmp_path / "out", "--dedup", "--no-batch-counts")
    assert result.exit_code == 0 and "2 repeated paragraphs dropped" in result.stderr
    assert (tmp_path / "out" / "00.txt").read_text(encoding="utf-8") == cleaner.clean(first)
    assert (tmp_path / "out" / "01.txt").read_text(encoding="utf-8") == f"{PARAGRAPHS[2]}\n"


def test_dedup_keeps_repeated_lines_shorter_than_a_paragraph():
    deduper = Deduper()
    assert deduper.text("Seven words are not a paragraph yet\n")[1] == 0
    assert deduper.text("Seven words are not a paragraph yet\n") == (
        "Seven words are not a paragraph yet\n",
        0,
    )


def test_dedup_gives_the_same_bytes_with_two_workers(tmp_path):
    src = _folder(tmp_path, [article((i % 3, PARAGRAPHS[i % 4])) for i in range(40)])
    for jobs in (1, 2):
        assert _cli(src, tmp_path / f"out{jobs}", "--dedup", "-j", jobs).exit_code == 0
    assert _outputs(tmp_path / "out1") == _outputs(tmp_path / "out2")


def test_dedup_counts_are_in_the_report(tmp_path):
    (tmp_path / "x.jsonl").write_bytes(_jsonl([{"text": article()}] * 2))
    _cli(
        tmp_path / "x.jsonl",
        tmp_path / "y.jsonl",
        "--dedup",
        "--report",
        tmp_path / "r.jsonl",
        "--no-batch-counts",
    )
    assert [r["dedup_dropped"] for r in _records((tmp_path / "r.jsonl").read_bytes())] == [
        0,
        2 + len(PARAGRAPHS),
    ]  # title, standfirst


def test_rerun_of_a_deduplicated_run_changes_nothing(tmp_path):
    src = _folder(tmp_path, [article((i % 3, PARAGRAPHS[i % 4])) for i in range(6)])
    _cli(src, tmp_path / "out", "--dedup")
    before = _outputs(tmp_path / "out")
    result = _cli(src, tmp_path / "out", "--dedup")
    assert "6 already there" in result.stderr and _outputs(tmp_path / "out") == before


# --- --shard ----------------------------------------------------------------------------------


def test_shards_split_the_files_and_together_clean_every_one_as_a_whole_run_does(tmp_path):
    src = _folder(tmp_path, [article((i % 5, f"Line {i} of the test")) for i in range(30)])
    _cli(src, tmp_path / "whole", "--no-batch-counts")
    for i in range(3):
        assert _cli(src, tmp_path / "sharded", "--shard", f"{i}/3", "--no-batch-counts").exit_code == 0
    assert _outputs(tmp_path / "sharded") == _outputs(tmp_path / "whole")
    sizes = [len(shard(plan(src, tmp_path / "o"), i, 3)) for i in range(3)]
    assert sum(sizes) == 30 and all(sizes)


def test_a_files_shard_does_not_change_when_files_are_added(tmp_path):
    src = _folder(tmp_path, ["a\n"] * 10)
    before = {rel: i for i in range(4) for rel in shard(plan(src, tmp_path / "o"), i, 4).files}
    for i in range(10, 20):
        (src / f"{i}.txt").write_text("b\n", encoding="utf-8")
    after = {rel: i for i in range(4) for rel in shard(plan(src, tmp_path / "o"), i, 4).files}
    assert all(after[rel] == shard_index for rel, shard_index in before.items())
    assert all(after[rel] == shard_of(rel, 4) for rel in after)


@pytest.mark.parametrize("value", ["3/3", "1", "a/b", "0/0"])
def test_shard_outside_0_to_n_minus_1_is_a_usage_error(tmp_path, value):
    src = _folder(tmp_path, [DIRTY])
    assert _cli(src, tmp_path / "out", "--shard", value).exit_code == 2


# --- the library ------------------------------------------------------------------------------


def test_clean_file_writes_a_jsonl_file_in_its_format_leaving_no_temporary(tmp_path, cleaner):
    (tmp_path / "in.jsonl.gz").write_bytes(gzip.compress(_jsonl([{"id": 1, "text": DIRTY}])))
    result = cleaner.clean_file(tmp_path / "in.jsonl.gz", tmp_path / "out" / "in.jsonl.gz")
    assert result.status == "cleaned" and result.bad_records == 0
    assert _records(gzip.decompress((tmp_path / "out" / "in.jsonl.gz").read_bytes())) == [
        {"id": 1, "text": cleaner.clean(DIRTY)}
    ]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["in.jsonl.gz"]


def test_clean_file_raises_naming_a_file_it_cannot_clean(tmp_path, cleaner):
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02\x03" * 50)
    with pytest.raises(CleanFailed, match=r"blob\.txt: binary"):
        cleaner.clean_file(tmp_path / "blob.txt", tmp_path / "out.txt")


def test_run_jobs_summary_counts_bad_records_and_exits_1(tmp_path):
    (tmp_path / "x.jsonl").write_bytes(b"nope\n")
    summary = run_jobs(plan(tmp_path / "x.jsonl", tmp_path / "y.jsonl"), RunSettings())
    assert (summary.cleaned, summary.bad_records, summary.exit_code) == (1, 1, 1)
