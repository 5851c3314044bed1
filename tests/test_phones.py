"""Mainland mobile numbers as people type them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.phones import mask_phone, mask_phones_in, normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese keyboard
        ("(+86) 199 1234 5678", "19912345678"),
    ],
)
def test_numbers_are_normalised(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "1380013800",
        "138001380000",
        "12800138000",
        "23800138000",
        "010-12345678",
        "1380013800a",
        "١٣٨٠٠١٣٨٠٠٠",
    ],
)
def test_other_numbers_are_refused(typed):
    assert normalize_phone(typed) is None


@given(st.text(max_size=20))
def test_whatever_is_typed_the_result_is_none_or_eleven_ascii_digits(typed):
    result = normalize_phone(typed)
    assert result is None or (
        len(result) == 11 and result.isascii() and result.isdigit() and result[0] == "1"
    )


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_valid_number_survives_and_masks_to_its_ends(number):
    assert normalize_phone(number) == number
    masked = mask_phone(number)
    assert masked == f"{number[:3]}****{number[-4:]}"
    assert masked[3:7] == "****" and len(masked) == 11


def test_masking_odd_values_hides_them_entirely():
    assert mask_phone("") == ""
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("caller 13812345678 left", "caller 138****5678 left"),
        ("+86 138 1234 5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        # An access log line: a number typed in full-width digits, percent-encoded in the URL.
        ("GET /x?phone=%EF%BC%91%EF%BC%93%EF%BC%98%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94"
         "%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98 HTTP/1.1", "GET /x?phone=138****5678 HTTP/1.1"),
        ("q=%ef%bc%91%ef%bc%93%ef%bc%98%ef%bc%91%ef%bc%92%ef%bc%93%ef%bc%94%ef%bc%95%ef%bc%96"
         "%ef%bc%97%ef%bc%98&x", "q=138****5678&x"),
        ("%2B86+138+1234+5678", "138****5678"),
        # Not mobile numbers: kept as they are.
        ("order 12345678901", "order 12345678901"),
        ("id 4401231234567891234", "id 4401231234567891234"),
        ("１２３４５６７８９０１", "１２３４５６７８９０１"),
    ],
)  # fmt: skip
def test_numbers_in_log_lines_are_masked_however_they_are_written(line, masked):
    assert mask_phones_in(line) == masked
