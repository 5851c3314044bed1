"""Rules for staff passwords."""

import pytest

from portal.accounts.passwords import (
    common_passwords,
    hash_password,
    password_matches,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("123456789", "at least 10"),
        ("1234567890", "too common"),
        ("Password123", "too common"),
        ("qwertyuiop", "too common"),
        ("woaini1314", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("x" * 129, "at most 128"),
        ("my number 13800138000", "phone number"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(app_context, password, problem):
    assert problem in str(password_problem(password, phone="13800138000"))


@pytest.mark.parametrize(
    "password", ["a long test passphrase", "绿色的山 and blue sky", "0123456789abcdef" * 8]
)
def test_long_uncommon_passwords_are_accepted(app_context, password):
    assert password_problem(password, phone="13800138000") is None


def test_the_common_list_is_loaded_and_lower_case():
    listed = common_passwords()
    assert len(listed) > 1000
    assert all(entry == entry.lower() and len(entry) >= 10 for entry in listed)


def test_hashes_are_scrypt_and_checked():
    hashed = hash_password("a long test passphrase")
    assert hashed.startswith("scrypt:")
    assert password_matches(hashed, "a long test passphrase")
    assert not password_matches(hashed, "a long test passphrasE")
    assert not password_matches(None, "anything at all")
