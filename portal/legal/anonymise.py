"""The anonymisation check of a public question and answer (FAQ): what in the adviser's text
could still name the resident or the other party.

It flags mainland mobile numbers, landline numbers, 身份证 numbers (a valid one, confirmed by
its GB 11643 check digit, and any 18-character look-alike, since a number typed with one
wrong digit still names its owner) and the names given in the consultation (the other
party's, the resident's). A flag is what was found and where; a draft with flags cannot be
submitted. The check cannot know every place or name: the adviser and the supervisor read
the text too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from stdnum.cn import ric

PHONE = "phone"
LANDLINE = "landline"
ID_NUMBER = "id_number"
ID_LIKE = "id_like"
NAME = "name"

# Digits may be typed with spaces or dashes between groups (138 0013 8000, 138-0013-8000).
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?!\d)")
# An area code of three or four digits, in brackets or not, then seven or eight digits.
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ \-]?\d{7,8}(?!\d)")
_EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
# Names shorter than this are single characters (a surname alone): flagging each 王 of a
# text would bury the flags that matter.
NAME_MIN = 2


@dataclass(frozen=True)
class Flag:
    """Something found that may name a person: its kind and the text as it stands."""

    kind: str
    text: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "field": self.field}


def _normal(text: str) -> str:
    # Full-width digits (１３８…) and brackets are the same number to a reader.
    return unicodedata.normalize("NFKC", text or "")


def name_parts(names: Iterable[str]) -> list[str]:
    """The names to look for: each name given, and the given name of a three- or
    four-character Chinese name (王小明 is also 小明 in a text)."""
    found: list[str] = []
    for raw in names:
        name = " ".join(_normal(raw).split())
        if len(name) < NAME_MIN:
            continue
        found.append(name)
        if 3 <= len(name) <= 4 and all("\u4e00" <= char <= "\u9fff" for char in name):
            found.append(name[-2:])
    # Longest first, so that the whole name is flagged before its part.
    return sorted(set(found), key=len, reverse=True)


def check_text(text: str, field: str, names: Iterable[str] = ()) -> list[Flag]:
    """What in `text` (one field of a draft) may name a person."""
    text = _normal(text)
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < done_end and done_start < end for done_start, done_end in taken):
            return
        taken.append((start, end))
        flags.append(Flag(kind, text[start:end], field))

    for match in _EIGHTEEN.finditer(text):
        add(ID_NUMBER if ric.is_valid(match.group()) else ID_LIKE, *match.span())
    for match in _MOBILE.finditer(text):
        add(PHONE, *match.span())
    for match in _LANDLINE.finditer(text):
        add(LANDLINE, *match.span())
    for name in name_parts(names):
        for match in re.finditer(re.escape(name), text, flags=re.IGNORECASE):
            add(NAME, *match.span())
    return flags


def check(question: str, answer: str, names: Iterable[str] = ()) -> list[Flag]:
    """What in a draft's question and answer may name a person, the question's first."""
    names = list(names)
    return check_text(question, "question", names) + check_text(answer, "answer", names)
