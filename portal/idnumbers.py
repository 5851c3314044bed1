"""The resident identity card number (居民身份证号码, GB 11643): a volunteer's, or the people an
archive query is about.

python-stdnum's `stdnum.cn.ric` knows the check digit, the birth date and the areas; this
module only reads what people type, says in plain words what is wrong with it, masks it, and
makes the keyed hash that lets the database keep one volunteer per person. The keys of the
features that seal numbers at rest (portal/sealing.py) derive from the same secret.

Why the hash is keyed: an ID number has little entropy (an area, a birth date, three digits
and a check digit), so a plain SHA-256 of every number of a district can be computed in
minutes and the column would give the numbers away to anyone with a copy of the database. An
HMAC with a key kept outside the database (VOLUNTEER_ID_KEY, or one derived from SECRET_KEY)
cannot be reversed that way. Set VOLUNTEER_ID_KEY explicitly in production: changing the key
changes every hash, and a second registration of the same person would no longer be found.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric

from portal.errors import Invalid
from portal.numbers import typed

LENGTH = 18
# Spaces and dashes people put between groups of digits, of any width.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

MISSING = _l("Enter your ID card number.")
WRONG_LENGTH = _l("An ID card number has 18 characters: 17 digits, then a digit or X.")
WRONG_CHARACTERS = _l("An ID card number has only digits, and may end in X.")
WRONG_CHECK_DIGIT = _l("This ID card number is not right: check each digit against your card.")
IMPOSSIBLE_BIRTH_DATE = _l(
    "The birth date in this ID card number (digits 7 to 14) is not a real date. Check it "
    "against your card."
)
UNKNOWN_AREA = _l(
    "The first 6 digits of this ID card number are not an area code we know. Check them "
    "against your card."
)


def normalize(raw: str | None) -> str:
    """The number as it is stored: full-width digits made ASCII, spaces and dashes dropped, a
    lower-case x made upper-case. Nothing is checked here (see `validate`)."""
    return _SEPARATORS.sub("", typed(raw)).upper()


def _refuse(message: Any) -> Invalid:
    return Invalid(message, field="id_number")


def validate(raw: str | None, *, today: date | None = None) -> str:
    """The normalised number, or Invalid (on the field "id_number") saying what is wrong:
    its length, its characters, its check digit, its birth date or its area."""
    number = normalize(raw)
    if not number:
        raise _refuse(MISSING)
    if len(number) != LENGTH:
        raise _refuse(WRONG_LENGTH)
    if not _SHAPE.fullmatch(number):
        raise _refuse(WRONG_CHARACTERS)
    if number[-1] != ric.calc_check_digit(number):
        raise _refuse(WRONG_CHECK_DIGIT)
    try:
        ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise _refuse(IMPOSSIBLE_BIRTH_DATE) from None
    if not _known_area(number):
        raise _refuse(UNKNOWN_AREA)
    if today is not None and birth_date(number) > today:
        raise _refuse(IMPOSSIBLE_BIRTH_DATE)
    return number


def _known_area(number: str) -> bool:
    """Whether the first six digits name a county China has had.

    Not stdnum's ric.validate, which also asks that the county existed in the holder's birth
    year: numbers were first issued in the 1980s, by the county where a person lived then, so
    a 罗湖 resident born in 1958 rightly holds 440303…, a code made in 1983.
    """
    places = numdb.get("cn/loc").info(number[:6])
    return any("county" in properties for _part, properties in places)


def birth_date(number: str) -> date:
    """The date of birth written in a valid number."""
    return ric.get_birth_date(number)


def age_on(born: date, day: date) -> int:
    """Age in whole years on `day` of someone born on `born` (born on 29 February: a year
    older on 1 March in the years without one)."""
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)


def mask(number: str | None) -> str:
    """The number as everyone but its owner sees it: 4401**********123X."""
    if not number:
        return ""
    if len(number) != LENGTH:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (LENGTH - 8)}{number[-4:]}"


def key_from(config: Mapping[str, Any]) -> bytes:
    """The key of the hash: VOLUNTEER_ID_KEY, or one derived from SECRET_KEY (so that the
    hash is never keyed by the session secret itself)."""
    given = config.get("VOLUNTEER_ID_KEY")
    if given:
        return _as_bytes(given)
    return derived_key(config, b"portal.volunteering.id_number_hash")


def derived_key(config: Mapping[str, Any], label: bytes) -> bytes:
    """A 32-byte key of its own for `label`, from VOLUNTEER_ID_KEY or else SECRET_KEY: one
    secret to keep, a different key for each use of it."""
    source = config.get("VOLUNTEER_ID_KEY") or config.get("SECRET_KEY") or ""
    return hmac.new(_as_bytes(source), label, hashlib.sha256).digest()


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def app_key() -> bytes:
    """The key of the running app (for services called without one)."""
    from flask import current_app

    return key_from(current_app.config)


def keyed_hash(number: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised number, in hex: unique per person."""
    return hmac.new(key, normalize(number).encode(), hashlib.sha256).hexdigest()
