"""Acceptance: the user's seed documents clean to exactly the expected output (needs ../shared)."""

from click.testing import CliRunner

from cleaner.cli import clean_command


def test_seed_documents_clean_to_the_expected_output_exactly(shared, tmp_path):
    result = CliRunner().invoke(clean_command, [str(shared / "seeds" / "in"), str(tmp_path)])
    assert result.exit_code == 0
    expected = sorted((shared / "seeds" / "expected").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in expected]
    for path in expected:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_seed_outputs_are_fixed_points(shared, cleaner):
    for path in sorted((shared / "seeds" / "expected").iterdir()):
        text = path.read_text(encoding="utf-8")
        assert cleaner.clean(text) == text
