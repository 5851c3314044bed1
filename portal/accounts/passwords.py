"""Staff passwords: the rules a new password must meet, and hashing.

Length and a list of common passwords, no composition rules (OWASP ASVS 6.2); hashed with
Werkzeug's scrypt.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("portal.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, phone: str | None = None):
    """Say what is wrong with a proposed password, or return None if it may be used."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(count)d characters.", count=MAX_LENGTH)
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) == 1:
        return _l("This password is too common. Choose one that is harder to guess.")
    if phone and phone in password:
        return _l("Do not use your phone number in your password.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so timing does not reveal unknown accounts.
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a password of anyone")
