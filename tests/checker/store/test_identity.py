"""A document's identity keys: the same document written differently by two systems has the
same keys; two documents do not."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from checker.store.identity import code_key, id_key, normalised

DAY = date(2026, 3, 2)


def test_case_whitespace_nfc_leading_zeros_and_d_bar_are_normalised():
    decomposed = "Đơn vị".replace("ơ", "o\u031b")  # o + combining horn, not NFC
    assert normalised(decomposed) == normalised("đơn  VỊ") == "dơnvị"
    assert normalised("045/UBND - vp") == normalised("45/ubnd-VP") == "45/ubnd-vp"
    assert normalised("000.00.01.H99,2026/03/02,7/SNV") == normalised("0.0.1.h99,2026/3/2,7/snv")


def test_a_document_id_is_its_key_written_any_way():
    assert id_key(" 000.00.01.H99,2026/03/02,07/SNV-VP ") == id_key(
        "000.00.01.h99,2026/3/2,7/snv-vp"
    )
    assert id_key(None) is None
    assert id_key("  ") is None


def test_a_code_key_needs_sender_number_notation_and_date():
    key = code_key("000.00.01.H99", "0045/UBND-VP", DAY)
    assert key == code_key("000.00.01.h99", "45 / ubnd-vp", DAY)
    assert key != code_key("000.00.01.H99", "46/UBND-VP", DAY)
    assert key != code_key("000.00.01.H99", "45/UBND-VP", date(2026, 3, 3))
    assert code_key(None, "45/UBND-VP", DAY) is None
    assert code_key("000.00.01.H99", "45", DAY) is None  # a number alone says too little
    assert code_key("000.00.01.H99", "/UBND-VP", DAY) is None
    assert code_key("000.00.01.H99", "45/UBND-VP", None) is None


@given(st.text())
def test_normalising_twice_changes_nothing(text):
    assert normalised(normalised(text)) == normalised(text)
