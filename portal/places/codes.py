"""Public building codes: short, random, unambiguous when read aloud or typed from a poster.

No 0/O, 1/I/L: the alphabet has 31 symbols, so six of them give 887 million codes, enough
that guessing one is hopeless and collisions are rare (and checked for anyway).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s\-]")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def generate_code() -> str:
    """A new random code; the caller checks that no building has it yet."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw: str | None) -> str | None:
    """The code in its stored form (upper case), or None if it cannot be a building code."""
    if not raw:
        return None
    code = _SEPARATORS.sub("", raw).upper()
    return code if _VALID.fullmatch(code) else None
