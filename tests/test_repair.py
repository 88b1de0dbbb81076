"""Repair: what is broken is fixed, what is fine is left as written."""

import string

import ftfy
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.lines import split_lines
from cleaner.repair import _SUSPECT, REPAIR_CONFIG, repair_line, repair_lines


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


# The fast path skips ftfy where it provably changes nothing; these check it against ftfy itself.
# The alphabet is weighted towards what mojibake is made of: the characters ftfy's badness
# patterns list, pairs of them, and the ASCII that sits between them.
_MOJIBAKE_PARTS = st.sampled_from(
    ["Ã©", "â€™", "â€œ", "Ã", "Â", "Â ", "Ø ", "Ù", "Œ", "œ", "В", "Г", "Р", "С", "Β", "Ο", "вЂ", "ā€",
     "é", "ü", "’", "“", "—", "–", "•", "©", "®", "™", "°", "½", "×²", "√±", "à²", "ŒA", "\xa0",
     "\x85", "\x9d", "\x1b[0m", "\ufeff", "&amp;", "&#8217;", "<b>", " ", "a", "Z", ".", "-", "1"]
)  # fmt: skip
_LINES = st.one_of(
    st.text(alphabet=string.printable.replace("\n", "").replace("\r", "")),
    st.text(),
    st.lists(_MOJIBAKE_PARTS, max_size=12).map("".join),
    st.lists(
        st.one_of(_MOJIBAKE_PARTS, st.characters(min_codepoint=0x80, max_codepoint=0x2FFF)), max_size=8
    ).map("".join),
)


@settings(max_examples=500)
@given(_LINES)
def test_repair_equals_full_ftfy_on_any_line(line):
    assert repair_line(line) == ftfy.fix_text(line, REPAIR_CONFIG)


@given(st.lists(_LINES, max_size=6), st.sampled_from(["\n", "\r\n", "\r"]))
def test_repairing_a_document_equals_repairing_each_line(lines, newline):
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    assert repair_lines(lines, newline.join(lines))[0] == [ftfy.fix_text(x, REPAIR_CONFIG) for x in lines]


def test_every_corpus_line_repairs_as_full_ftfy_does():
    for path in sorted((ROOT / "corpus").rglob("*.tsv")):
        lines = split_lines(path.read_text(encoding="utf-8"))
        assert repair_lines(lines, "\n".join(lines))[0] == [ftfy.fix_text(x, REPAIR_CONFIG) for x in lines], (
            path
        )


def test_single_non_ascii_letters_and_punctuation_take_the_fast_path():
    line = "Zürich’s café — “fine” • 5°C"
    assert _SUSPECT.search(line) is None
