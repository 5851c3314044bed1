"""What a verification page may show of a person: never a full name, an ID number or a phone.

Features mask what they store (`mask_name`; portal.phones.mask_phone); `check_facts` refuses
facts with something that looks like a whole ID or mobile number, which would be on a public
page for as long as the code is printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

# 18-digit resident ID numbers (GB 11643, the last may be X), the older 15-digit ones, and
# mainland mobile numbers, with or without spaces and dashes between the digits, in ordinary or
# full-width digits.
_WHOLE_NUMBERS = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")
_SEPARATORS = re.compile(r"(?<=[0-9])[\s\-]+(?=[0-9Xx])")


def mask_name(name: str) -> str:
    """A name as a public page may show it: 张*, 张*丰, 欧**娜; for a name in Latin letters,
    the first letter of each part (J. S.)."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(f"{part[0]}." for part in name.split())
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def check_facts(facts: dict[str, Any]) -> None:
    """Raise ValueError if a value among `facts` holds a whole ID number or mobile number."""
    for value in _strings(facts):
        if _WHOLE_NUMBERS.search(_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))):
            raise ValueError("a document's facts hold a whole ID or phone number: mask it")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)
