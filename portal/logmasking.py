"""Keep mobile numbers out of the log, whoever writes the line.

The portal's own log lines mask numbers already, but others do not: PostgreSQL explains a
duplicate key with its value, a library may put a URL or a request in an exception. Every
log record is made through one factory; this one masks numbers in the message and in the
traceback before any handler sees them.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from portal.phones import mask_phones_in


def mask_phones_in_logs() -> None:
    """Install the masking record factory (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_phones", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        masked = mask_phones_in(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[1] is not None:
            # What logging.Formatter.formatException would write, masked; formatters use it.
            written = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = mask_phones_in(written)
        return record

    make_record.masks_phones = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
