"""The one rule for characters nobody types: control characters.

A NUL cannot be stored in PostgreSQL at all, and the other control characters (and lone
surrogates, which only a machine can send) only ever arrive from scripts or broken pastes.
What people send is refused with a message (portal/web/forms.py for form fields,
portal/web/cleaning.py for addresses), so that nothing they typed is silently changed; what
machines send is stripped, since a machine would send a refused message again forever.
"""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL and lone surrogates; a line break and a tab are text in
# a field of several lines (a browser sends a textarea's line breaks as CR LF).
_IN_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _pattern(multiline: bool) -> re.Pattern[str]:
    return _IN_LINES if multiline else _IN_ONE_LINE


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether `text` holds a character nobody types (line breaks and tabs are allowed in
    text of several lines)."""
    return _pattern(multiline).search(text) is not None


def strip_control_characters(text: str, *, multiline: bool = False) -> str:
    """`text` without the characters `has_control_characters` finds, for input from machines."""
    return _pattern(multiline).sub("", text)
