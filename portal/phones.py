"""Mainland mobile numbers: normalising what people type, and masking what others see."""

from __future__ import annotations

import re
from urllib.parse import unquote

from portal.numbers import typed

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015()（）.]")
# 11 digits starting with 1 and then 3-9. Number ranges are not listed: new ones keep
# appearing (19x, 16x), and the SMS code proves the number is real anyway.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_START = re.compile(r"1[3-9]")


def normalize_phone(raw: str | None) -> str | None:
    """Return the 11-digit number, or None if it is not a mainland mobile number.

    Accepts full-width digits, spaces, dashes and a +86 / 0086 prefix, as people type them.
    """
    if not raw:
        return None
    number = _SEPARATORS.sub("", typed(raw))
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    else:
        if len(number) == 13 and number.startswith("86"):
            number = number[2:]
    return number if _MOBILE.fullmatch(number) else None


def mask_phone(phone: str | None) -> str:
    """Show a number as 138****5678."""
    if not phone:
        return ""
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def spaced_phone(phone: str) -> str:
    """A number as it is read aloud: 138 0013 8000 (other numbers as they are)."""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return phone


def tel_uri(phone: str) -> str:
    """A `tel:` link for a number as written (0755-2345 6789, +86 138 0013 8000)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


# A digit as it may stand in a log line: ASCII, full-width as a Chinese keyboard types it, or
# full-width and percent-encoded as a URL in an access log carries it (%EF%BC%91 is １).
_DIGIT = r"(?:[0-9０-９]|(?i:%EF%BC%9)[0-9])"
_NOT_AFTER_DIGIT = r"(?<![0-9０-９])(?<!(?i:%EF%BC%9)[0-9])"
_NOT_BEFORE_DIGIT = r"(?![0-9０-９]|(?i:%EF%BC%9)[0-9])"
_GAP = r"(?:[ -]|%20|\+)?"
# A mobile number inside free text, as gateways, operators, databases and URLs write it:
# 13812345678, +86 138 1234 5678, 0086-138-1234-5678, １３８１２３４５６７８.
_MOBILE_IN_TEXT = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?:(?:\+|%2B|00)?86{_GAP})?"
    rf"((?:{_DIGIT}){{3}}){_GAP}((?:{_DIGIT}){{4}}){_GAP}((?:{_DIGIT}){{4}}){_NOT_BEFORE_DIGIT}"
)


def _ascii(written: str) -> str:
    return typed(unquote(written))


def _masked(match: re.Match[str]) -> str:
    first, last = _ascii(match[1]), _ascii(match[3])
    # 1 then 3-9, checked once the digits are ASCII: each may have been written three ways.
    return f"{first}****{last}" if _MOBILE_START.match(first) else match[0]


def mask_phones_in(text: str) -> str:
    """`text` with every mobile number in it masked (138****5678)."""
    return _MOBILE_IN_TEXT.sub(_masked, text)
