"""The command line, end to end on temporary folders."""

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import PARAGRAPHS, TITLE, article, text_node_page
from threadpoolctl import threadpool_limits

from cleaner import Cleaner, Config
from cleaner.cli import clean_command, main


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One BLAS/OpenMP thread for the expected outputs too, as in a run: library threads on
    small batches make cleaning many times slower on a busy machine."""
    with threadpool_limits(limits=1):
        yield


DIRTY = article((3, "Advertisement"), (0, "Updated May 2nd, 2023 at 10:04 IST"))


def _run(*args, input=None):
    return CliRunner().invoke(clean_command, [str(a) for a in args], input=input)


def test_folder_is_cleaned_into_the_same_relative_paths(tmp_path, cleaner):
    src, dst = tmp_path / "in", tmp_path / "out"
    (src / "a" / "b").mkdir(parents=True)
    (src / "top.txt").write_text(DIRTY, encoding="utf-8")
    (src / "a" / "b" / "deep.txt").write_text(DIRTY, encoding="utf-8")
    result = _run(src, dst)
    assert result.exit_code == 0, result.output
    expected = cleaner.clean(DIRTY)
    assert (dst / "top.txt").read_text(encoding="utf-8") == expected
    assert (dst / "a" / "b" / "deep.txt").read_text(encoding="utf-8") == expected
    assert "Advertisement" not in expected and TITLE in expected


def test_inputs_are_never_modified(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text(DIRTY, encoding="utf-8")
    _run(src, tmp_path / "out")
    assert (src / "x.txt").read_text(encoding="utf-8") == DIRTY


def test_single_file_into_a_file(tmp_path, cleaner):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    result = _run(tmp_path / "x.txt", tmp_path / "y.txt")
    assert result.exit_code == 0
    assert (tmp_path / "y.txt").read_text(encoding="utf-8") == cleaner.clean(DIRTY)


def test_lines_apart_reads_every_line_alone(tmp_path, cleaner):
    page, _ = text_node_page()
    (tmp_path / "x.txt").write_text(page, encoding="utf-8")
    assert _run("--lines-apart", tmp_path / "x.txt", tmp_path / "y.txt").exit_code == 0
    apart = Cleaner(Config(join_broken=False)).clean(page)
    assert apart != cleaner.clean(page)  # this page is cleaned otherwise when its sentences are joined
    assert (tmp_path / "y.txt").read_text(encoding="utf-8") == apart


def test_stdin_to_stdout(cleaner):
    result = _run("-", "-", input=DIRTY.encode("utf-8"))
    assert result.exit_code == 0
    assert result.stdout == cleaner.clean(DIRTY)


def test_a_file_cleaned_to_dash_goes_to_standard_output(tmp_path, cleaner, monkeypatch):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = _run(tmp_path / "x.txt", "-")
    assert result.exit_code == 0
    assert result.stdout == cleaner.clean(DIRTY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]  # no file named "-"


def test_a_folder_cleaned_to_dash_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    result = _run(tmp_path / "in", "-")
    assert result.exit_code == 2 and "standard output" in result.output


def test_utf16_input_is_written_as_utf8(tmp_path, cleaner):
    (tmp_path / "x.txt").write_bytes(DIRTY.encode("utf-16"))
    _run(tmp_path / "x.txt", tmp_path / "y.txt")
    assert (tmp_path / "y.txt").read_bytes() == cleaner.clean(DIRTY).encode("utf-8")


def test_existing_outputs_are_kept_unless_overwrite(tmp_path, cleaner):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    (tmp_path / "y.txt").write_text("earlier output\n", encoding="utf-8")
    assert _run(tmp_path / "x.txt", tmp_path / "y.txt").exit_code == 0
    assert (tmp_path / "y.txt").read_text(encoding="utf-8") == "earlier output\n"
    assert _run(tmp_path / "x.txt", tmp_path / "y.txt", "--overwrite").exit_code == 0
    assert (tmp_path / "y.txt").read_text(encoding="utf-8") == cleaner.clean(DIRTY)


def test_bad_file_gets_one_line_error_naming_it_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(DIRTY, encoding="utf-8")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = _run(src, tmp_path / "out")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("clean: error:")]
    assert len(errors) == 1 and "image.png" in errors[0] and "binary" in errors[0]
    assert (tmp_path / "out" / "good.txt").exists()
    assert not (tmp_path / "out" / "image.png").exists()


def test_empty_file_gives_empty_output(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"")
    assert _run(tmp_path / "x.txt", tmp_path / "y.txt").exit_code == 0
    assert (tmp_path / "y.txt").read_bytes() == b""


@pytest.mark.parametrize("case", ["missing input", "output is input", "folder into a file"])
def test_unusable_command_lines_exit_2(tmp_path, case):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text(DIRTY, encoding="utf-8")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    args = {
        "missing input": (tmp_path / "nope", tmp_path / "out"),
        "output is input": (src, src),
        "folder into a file": (src, tmp_path / "file.txt"),
    }[case]
    assert _run(*args).exit_code == 2
    assert (src / "x.txt").read_text(encoding="utf-8") == DIRTY


def test_unknown_option_exits_2(tmp_path):
    assert _run("--frobnicate", tmp_path, tmp_path / "o").exit_code == 2


def test_output_folder_inside_input_folder_is_not_walked(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text(DIRTY, encoding="utf-8")
    assert _run(src, src / "cleaned").exit_code == 0
    assert _run(src, src / "cleaned").exit_code == 0  # a second run does not clean its own outputs
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*.txt")) == ["cleaned/x.txt", "x.txt"]


def test_explain_says_in_which_pass_a_line_was_dropped_after_the_first(tmp_path, late_drops):
    text, line, number = late_drops[0]
    (tmp_path / "x.txt").write_text(text, encoding="utf-8")
    rows = CliRunner().invoke(main, ["explain", str(tmp_path / "x.txt")]).output.splitlines()
    assert rows[line].endswith(f"[dropped in pass {number}]")
    assert any(" drop " in row and "[dropped in pass" not in row for row in rows)  # pass 1: no note


def test_explain_prints_every_line_with_decision_probability_and_reason(tmp_path):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "x.txt")])
    assert result.exit_code == 0
    rows = result.output.splitlines()
    assert len(rows) == len(DIRTY.splitlines())
    ad = next(row for row in rows if row.endswith("| Advertisement"))
    assert " drop " in ad and " ad " in ad
    assert any(" KEEP " in row and PARAGRAPHS[0][:40] in row for row in rows)


def test_installed_clean_command_runs(tmp_path):
    (tmp_path / "x.txt").write_text(DIRTY, encoding="utf-8")
    script = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import clean_command; clean_command()",
         str(tmp_path / "x.txt"), str(tmp_path / "y.txt")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert script.returncode == 0, script.stderr
    assert TITLE in (tmp_path / "y.txt").read_text(encoding="utf-8")
