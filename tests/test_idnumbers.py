"""The 身份证 number: what people type is read, each mistake has its own message, the number
is masked and hashed with a key, and it never reaches a log line whole."""

from __future__ import annotations

import hashlib
import logging
from datetime import date

import pytest
from stdnum.cn import ric

from portal import idnumbers
from portal.errors import Invalid
from portal.logmasking import mask_id_numbers_in
from tests import factories


def with_check_digit(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


VALID = "11010519491231002X"


def refusal(raw: str, **kwargs) -> str:
    with pytest.raises(Invalid) as caught:
        idnumbers.validate(raw, **kwargs)
    assert caught.value.details == {"field": "id_number"}
    return caught.value.message


def test_a_valid_number_is_returned_as_stored():
    assert idnumbers.validate(VALID) == VALID
    made = factories.id_number(date(2010, 2, 28))
    assert idnumbers.validate(made) == made
    assert idnumbers.birth_date(made) == date(2010, 2, 28)


@pytest.mark.parametrize(
    "typed",
    [
        "110105 19491231 002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        " 110105-19491231-002X ",
        "11010519491231002x",
    ],
)
def test_what_people_type_is_read(app_context, typed):
    assert idnumbers.validate(typed) == VALID


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter your ID card number."),
        ("11010519491231002", "An ID card number has 18 characters: 17 digits, then a digit or X."),
        ("11010519491231002X1", "An ID card number has 18 characters: 17 digits, then a digit or X."),
        ("110105491231002", "An ID card number has 18 characters: 17 digits, then a digit or X."),
        ("1101051949123100AX", "An ID card number has only digits, and may end in X."),
        ("11010519491231002Y", "An ID card number has only digits, and may end in X."),
        ("110105194912310021", "This ID card number is not right: check each digit against your card."),
        (with_check_digit("11010519490230123"), "The birth date in this ID card number (digits 7 to 14) is not a real date. Check it against your card."),
        (with_check_digit("11010519491301123"), "The birth date in this ID card number (digits 7 to 14) is not a real date. Check it against your card."),
        (with_check_digit("00000019491231123"), "The first 6 digits of this ID card number are not an area code we know. Check them against your card."),
    ],
)  # fmt: skip
def test_each_mistake_has_its_own_message(app_context, raw, message):
    assert refusal(raw) == message


def test_a_birth_date_still_to_come_is_impossible(app_context):
    tomorrow = factories.id_number(date(2026, 11, 25))
    assert "not a real date" in refusal(tomorrow, today=date(2026, 11, 24))
    assert idnumbers.validate(tomorrow, today=date(2026, 11, 25)) == tomorrow


def test_age_counts_whole_years_and_leap_days():
    assert idnumbers.age_on(date(2008, 11, 25), date(2026, 11, 24)) == 17
    assert idnumbers.age_on(date(2008, 11, 24), date(2026, 11, 24)) == 18
    assert idnumbers.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert idnumbers.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_mask_shows_the_first_and_last_four():
    assert idnumbers.mask("44010619900101123X") == "4401**********123X"
    assert idnumbers.mask("") == ""
    assert idnumbers.mask("12345") == "*****"


def test_the_hash_is_keyed_and_reads_the_number_as_stored():
    key = idnumbers.key_from({"VOLUNTEER_ID_KEY": "a volunteer key"})
    assert idnumbers.keyed_hash(VALID, key) == idnumbers.keyed_hash("11010519491231002x", key)
    assert idnumbers.keyed_hash(VALID, key) != idnumbers.keyed_hash(VALID, b"another key")
    assert idnumbers.keyed_hash(VALID, key) != hashlib.sha256(VALID.encode()).hexdigest()


def test_the_default_key_comes_from_the_secret_key_but_is_not_it():
    derived = idnumbers.key_from({"SECRET_KEY": "the session secret"})
    assert derived == idnumbers.key_from({"SECRET_KEY": "the session secret"})
    assert derived != idnumbers.key_from({"SECRET_KEY": "another secret"})
    assert derived != b"the session secret"


def test_id_numbers_in_log_lines_are_masked(app, caplog):
    assert mask_id_numbers_in(f"applied with {VALID}, ok") == "applied with 1101**********002X, ok"
    # A longer run of digits is not an ID number; a phone number is masked as before.
    assert mask_id_numbers_in("order 1234567890123456789") == "order 1234567890123456789"
    with caplog.at_level(logging.INFO, logger="portal.test"):
        logging.getLogger("portal.test").info("duplicate key id_number=%s phone %s", VALID,
                                              "13812345678")  # fmt: skip
    assert VALID not in caplog.text and "13812345678" not in caplog.text
    assert "1101**********002X" in caplog.text and "138****5678" in caplog.text


def test_an_older_resident_s_number_from_a_county_made_after_their_birth_is_valid():
    """Numbers were issued from the 1980s by where people lived then: a 罗湖 resident born in
    1958 holds 440303…, a county code made in 1983 (stdnum's own check refuses it)."""
    assert idnumbers.validate("440303195803120525") == "440303195803120525"
