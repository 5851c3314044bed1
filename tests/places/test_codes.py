"""Public building codes: alphabet, length, and case-insensitive reading."""

from hypothesis import given
from hypothesis import strategies as st

from portal.places.codes import ALPHABET, LENGTH, generate_code, normalize_code


def test_the_alphabet_has_no_look_alikes():
    for confusable in "01OIL":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_codes_are_random_over_the_alphabet():
    codes = {generate_code() for _ in range(2000)}
    # 2,000 draws from 32^6 collide about once in 500 runs (the birthday bound); more than a
    # few repeats would mean the draw is not random.
    assert len(codes) >= 1995
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    # Every symbol turns up somewhere: the whole alphabet is in use.
    assert set("".join(codes)) == set(ALPHABET)


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_codes_are_read_in_any_case_and_with_spaces_or_dashes(code):
    assert normalize_code(code.lower()) == code
    assert normalize_code(f" {code[:3]}-{code[3:]} ") == code


def test_things_that_cannot_be_codes_are_refused():
    for raw in (None, "", "ABCDE", "ABCDEFG", "ABCDE0", "ABCDEI", "ABC DE", "ＡＢＣＤＥＦ"):
        assert normalize_code(raw) is None
