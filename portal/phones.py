"""Mainland mobile numbers: normalising what people type, and masking what others see."""

from __future__ import annotations

import re

_WIDE_TO_NARROW = str.maketrans("０１２３４５６７８９＋", "0123456789+")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015()（）.]")
# 11 digits starting with 1 and then 3-9. Number ranges are not listed: new ones keep
# appearing (19x, 16x), and the SMS code proves the number is real anyway.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(raw: str | None) -> str | None:
    """Return the 11-digit number, or None if it is not a mainland mobile number.

    Accepts full-width digits, spaces, dashes and a +86 / 0086 prefix, as people type them.
    """
    if not raw:
        return None
    number = _SEPARATORS.sub("", raw.translate(_WIDE_TO_NARROW))
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


# A mobile number inside free text, as gateways, operators and databases write it:
# 13812345678, +86 138 1234 5678, 0086-138-1234-5678.
_MOBILE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})(?![0-9])"
)


def mask_phones_in(text: str) -> str:
    """`text` with every mobile number in it masked (138****5678)."""
    return _MOBILE_IN_TEXT.sub(lambda match: f"{match[1]}****{match[3]}", text)
