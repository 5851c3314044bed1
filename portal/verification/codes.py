"""Verification codes: 80 random bits, printed on paper for good, read aloud and typed back.

Sixteen symbols of Crockford's base32 (digits and capitals without I, L, O and U), shown in
groups of four: 7K3M-Q9TD-2HXC-5B8W. What people type is taken in either case, with or without
the dashes and spaces, in full-width characters (as a Chinese keyboard may give them), and
with O read as 0 and I or L as 1, as Crockford's alphabet intends, and without the full stop
or bracket a sentence leaves after it.
Guessing a code is hopeless (2**80 of them), and the page that verifies them is rate-limited.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-]")
# Punctuation a chat app or a sentence leaves around a link or a code: "…/v/7K3M-Q9TD-2HXC-5B8W."
_AROUND = " .,;:!?()[]<>\"'。、"
_LOOK_ALIKES = str.maketrans("OIL", "011")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """A new random code, as stored (without dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw: str | None) -> str | None:
    """The code in its stored form, or None if what was typed cannot be a code."""
    if not raw:
        return None
    typed = unicodedata.normalize("NFKC", raw).strip(_AROUND)
    code = _SEPARATORS.sub("", typed).upper().translate(_LOOK_ALIKES)
    return code if _VALID.fullmatch(code) else None


def grouped(code: str) -> str:
    """The code as printed and shown: four groups of four, joined by dashes."""
    return "-".join(code[at : at + GROUP] for at in range(0, len(code), GROUP))
