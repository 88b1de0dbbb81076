"""Reading: every encoding case decodes to the same text; bad bytes never raise."""

import codecs
import random

import pytest

from cleaner.decode import BinaryInputError, decode

TEXT = "Café owners say the “new rules” won’t help — prices rose 5% in Zürich.\n"


def test_utf8_without_bom():
    assert decode(TEXT.encode("utf-8")).text == TEXT


def test_utf8_bom_is_removed():
    assert decode(codecs.BOM_UTF8 + TEXT.encode("utf-8")).text == TEXT


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    data = TEXT.encode(codec) if codec == "utf-16" else codecs.BOM_UTF16_LE + TEXT.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + TEXT.encode(codec)
    assert decode(data).text == TEXT


def test_utf32_with_bom():
    assert decode(TEXT.encode("utf-32")).text == TEXT


def test_legacy_single_byte_encoding_is_detected():
    text = "Der Bürgermeister erklärte am Montag, die Straße bleibe bis Ende März gesperrt. " * 4
    decoded = decode(text.encode("cp1252"))
    assert decoded.text == text
    assert not decoded.lossy


def test_undecodable_bytes_do_not_raise():
    decoded = decode(b"Valid start \xff\xfe\xfa\x80 and more text after the bad bytes.\n")
    assert decoded.text.startswith("Valid start")
    assert decoded.text.rstrip().endswith("after the bad bytes.")


def test_nul_bytes_without_text_encoding_are_refused_as_binary():
    with pytest.raises(BinaryInputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))


def test_empty_input_decodes_to_empty_text():
    assert decode(b"").text == ""


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom_are_recognised(codec):
    text = TEXT * 3 + "東京で会議が開かれた。\n"
    assert decode(text.encode(codec)).text == text


def test_text_with_stray_nul_and_control_bytes_is_text_not_binary():
    data = ("Der Bürgermeister sprach.\x00 Die Straße\x01 bleibt gesperrt.\n" * 20).encode("utf-8")
    assert decode(data).text.startswith("Der Bürgermeister sprach.\x00")


def test_mostly_nul_data_is_refused_as_binary():
    with pytest.raises(BinaryInputError, match="binary"):
        decode(b"name.txt" + b"\x00" * 500 + b"0000644\x00")


def test_random_bytes_with_nuls_are_refused_as_binary():
    with pytest.raises(BinaryInputError, match="binary"):
        decode(random.Random(3).randbytes(8192))
