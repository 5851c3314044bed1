"""Verification codes: 80 bits, read back however people type them from paper."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.verification.codes import ALPHABET, LENGTH, grouped, new_code, normalize_code

codes = st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH)


def test_a_code_carries_80_random_bits():
    assert LENGTH * math.log2(len(ALPHABET)) == 80
    drawn = {new_code() for _ in range(1000)}
    assert len(drawn) == 1000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in drawn)


def test_codes_are_shown_in_four_groups_of_four():
    assert grouped("7K3MQ9TD2HXC5B8W") == "7K3M-Q9TD-2HXC-5B8W"


@given(codes)
def test_the_code_reads_back_grouped_in_lower_case_or_spaced(code):
    for typed in (code, grouped(code), grouped(code).lower(), " ".join(grouped(code).split("-"))):
        assert normalize_code(typed) == code


def test_letters_that_look_like_digits_are_read_as_the_digits():
    assert normalize_code("oOiI-lL10-2HXC-5B8W") == "001111102HXC5B8W"


def test_full_width_characters_from_a_chinese_keyboard_are_read_as_they_look():
    assert normalize_code("７Ｋ3Ｍ－Q9TD　2HXC-5B8W") == "7K3MQ9TD2HXC5B8W"


@pytest.mark.parametrize(
    "typed",
    [None, "", "7K3M-Q9TD-2HXC-5B8", "7K3M-Q9TD-2HXC-5B8WX", "UK3M-Q9TD-2HXC-5B8W",
     "7K3M_Q9TD_2HXC_5B8W", "7K3M/Q9TD/2HXC/5B8W", "<script>alert(1)</script>"],
)  # fmt: skip
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalize_code(typed) is None
