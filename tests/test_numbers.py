"""The one parser for numbers that arrive as text."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.numbers import ID_MAX, ascii_digits, optional_id, page_number, parse_id, parse_number


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("１２", 12),
        ("＋１２", 12),
        ("-3", -3),
        (7, 7),
        (str(ID_MAX), ID_MAX),
    ],
)
def test_whole_numbers_are_read_in_ascii_or_full_width_digits(raw, number):
    assert parse_number(raw) == number


@pytest.mark.parametrize(
    "raw",
    ["", None, "1.5", "nan", "1e3", "١٢", "99999999999999999999999", str(ID_MAX + 1), "0x10",
     "1" * 70000, True, b"12", 12.0],
)  # fmt: skip
def test_what_is_not_a_whole_number_within_a_column_is_refused(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.parametrize("raw", ["0", "-1", "+8613800138000", "２１４７４８３６４８"])
def test_an_id_no_row_can_have_is_refused(raw):
    with pytest.raises(ValueError):
        parse_id(raw)


def test_an_empty_choice_is_no_id():
    assert optional_id("") is None and optional_id(None) is None and optional_id("５") == 5


@pytest.mark.parametrize(("raw", "page"), [("3", 3), ("²", 2), ("x", 1), ("0", 1), (None, 1)])
def test_a_page_number_falls_back_to_the_first_page(raw, page):
    assert page_number(raw) == page


def test_digits_are_compared_in_ascii_only():
    assert ascii_digits("１２３４") == "1234"
    assert ascii_digits("é.ab") is None and ascii_digits("١٢٣٤") is None


@given(st.text())
def test_any_text_is_a_number_or_a_value_error(text):
    with contextlib.suppress(ValueError):
        assert -ID_MAX <= parse_number(text) <= ID_MAX
