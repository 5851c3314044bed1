"""Keep mobile numbers and ID card numbers out of the log, whoever writes the line.

The portal's own log lines mask numbers already, but others do not: PostgreSQL explains a
duplicate key with its value, a library may put a URL or a request in an exception. Every
log record is made through one factory; this one masks numbers in the message and in the
traceback before any handler sees them.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from portal.phones import mask_phones_in

# An 18-character resident ID card number (身份证, GB 11643) standing alone: 17 digits, then a
# digit or X; a longer run of digits is not one. Masked as the pages show it: 4401**********123X.
_ID_NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])"
)


def mask_id_numbers_in(text: str) -> str:
    """`text` with every ID card number in it masked (4401**********123X)."""
    return _ID_NUMBER_IN_TEXT.sub(lambda found: f"{found[1]}{'*' * 10}{found[2]}", text)


def _masked(text: str) -> str:
    return mask_phones_in(mask_id_numbers_in(text))


def mask_phones_in_logs() -> None:
    """Install the masking record factory (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_phones", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        masked = _masked(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[1] is not None:
            # What logging.Formatter.formatException would write, masked; formatters use it.
            written = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = _masked(written)
        return record

    make_record.masks_phones = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
