"""Repair: what is broken is fixed, what is fine is left as written."""

import string

import ftfy
from hypothesis import given
from hypothesis import strategies as st

from cleaner.repair import REPAIR_CONFIG, repair_line


def test_mojibake_is_repaired():
    assert repair_line("The mayorâ€™s office said itâ€™s closed.") == "The mayor’s office said it’s closed."


def test_html_entities_are_unescaped():
    assert (
        repair_line("Fish &amp; chips cost &pound;9 at the pier&#8217;s end")
        == "Fish & chips cost £9 at the pier’s end"
    )


def test_control_characters_are_removed():
    assert repair_line("Budget\x00 talks\x07 resume") == "Budget talks resume"


def test_curly_quotes_ligatures_and_full_width_are_kept():
    line = "“Quoted” ﬁnal ｆｕｌｌ-width ‘text’"
    assert repair_line(line) == line


def test_normalize_option_applies_full_ftfy_normalisation():
    assert repair_line("“Quoted” ﬁnal", normalize=True) == '"Quoted" final'


@given(st.text(alphabet=string.printable.replace("\n", "").replace("\r", "")))
def test_ascii_fast_path_equals_full_ftfy(line):
    assert repair_line(line) == ftfy.fix_text(line, REPAIR_CONFIG)


@given(st.text())
def test_repair_equals_full_ftfy_on_any_text(line):
    assert repair_line(line) == ftfy.fix_text(line, REPAIR_CONFIG)
