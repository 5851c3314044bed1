"""The SMS-code service: every "prove you hold this phone" step of the portal.

A feature registers a Purpose for each of its steps (signing in, confirming a report, ...):
how long its codes live, how many tries they take, how soon one may be sent again and how
many a number may be sent in a window. A code belongs to a holder: its purpose, its phone
and, when it confirms something, its subject ("appeal:A2611-7K3Q"). The resend gap, the limit
per window and `check` look at the codes of one holder only, so no limit is shared across
purposes, nor across the things one number confirms.

Only a code's HMAC under the app's secret key is kept, of f"{subject or phone}:{code}": the
digests that sign-in codes and appeals kept before they moved here (migration 0009), so that
codes sent before the upgrade still work.

Functions take a Session and plain values (and `now`); they flush but never commit. A wrong
code raises Invalid after counting the try: the caller commits that, then shows the message.
The limits per client address and per building are counted by the views that ask for a code,
with accounts/sending.py.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import PhoneCode
from portal.db import serialize_on
from portal.errors import Invalid, TooMany
from portal.notifications.models import NEVER_SENT, SmsMessage
from portal.notifications.services import message_values, queue_statement

# Codes are kept a day (for the limits per window and for questions), then deleted; no
# purpose may count over a longer window.
KEPT_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Purpose:
    """How the codes of one "prove you hold this phone" step behave."""

    # Stored with each code; unique among the registered purposes.
    name: str
    # The SMS template (notifications/messages.py); it is given `code` and `minutes`.
    message_kind: str
    valid_for: timedelta
    tries: int = 5
    resend_after: timedelta = timedelta(seconds=60)
    # Codes one holder may be sent in `window`.
    per_window: int = 5
    window: timedelta = timedelta(hours=1)
    # The refusal once `per_window` is reached; None: "try again in N minutes".
    too_many: LazyString | None = None
    # Codes asked for from one client address, and for one building (None: no building is
    # involved), in Flask-Limiter's notation; counted by accounts/sending.py.
    per_address: str = "10/hour"
    per_building: str | None = None

    def __post_init__(self) -> None:
        if self.window > KEPT_FOR:
            raise ValueError(f"codes are kept {KEPT_FOR}, less than the window of {self.name}")

    @property
    def minutes(self) -> int:
        """How long a code lives, in the minutes its SMS names."""
        return int(self.valid_for.total_seconds() // 60)


PURPOSES: dict[str, Purpose] = {}


def register(purpose: Purpose) -> Purpose:
    """Make `purpose` known by its name (each feature registers its own, once)."""
    known = PURPOSES.setdefault(purpose.name, purpose)
    if known is not purpose:
        raise ValueError(f"a purpose named {purpose.name!r} is registered already")
    return purpose


# What a person may type around the six digits: spaces, dashes, dots (from copying the SMS).
_AROUND_DIGITS = re.compile(r"[\s\-.·]")
_SIX_DIGITS = re.compile(r"[0-9]{6}")


def typed_code(raw: str | None) -> str | None:
    """The six ASCII digits of a code as typed, or None when it cannot be one.

    A Chinese input method in full-width mode types ６９０５２５; copying from the SMS may
    bring spaces. Both are the code; read them as such instead of spending a try on them."""
    code = _AROUND_DIGITS.sub("", unicodedata.normalize("NFKC", raw or ""))
    return code if _SIX_DIGITS.fullmatch(code) else None


def digest(secret: bytes, phone: str, subject: str | None, code: str) -> str:
    """What is kept of a code: its HMAC under `secret`, keyed on its subject or its phone."""
    return hmac.new(secret, f"{subject or phone}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code(
    purpose: Purpose, phone: str, *, subject: str | None, secret: bytes, now: datetime
) -> tuple[dict[str, Any], str]:
    """Draw a code: its row's values (by column name) and the code itself.

    Nothing is checked or written: `issue` does both. This is for a caller that writes the
    row in the same statement as its new subject, which has no earlier code to check (a
    report's send, appeals/services/writes.py)."""
    code = f"{secrets.randbelow(10**6):06d}"
    values = {
        "purpose": purpose.name,
        "phone": phone,
        "subject": subject,
        "code_hash": digest(secret, phone, subject, code),
        "created_at": now,
        "expires_at": now + purpose.valid_for,
        "attempts": 0,
    }
    return values, code


def code_message(
    purpose: Purpose,
    phone: str,
    code: str,
    *,
    code_hash: str,
    locale: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    cause: str | None = None,
) -> dict[str, Any]:
    """The outbox row of the SMS that sends `code` (as queue_sms writes it), keyed on the
    code's digest (`code_hash`, its row's): every code is a message of its own, which the
    row finds again (see `_never_sent`)."""
    return message_values(
        phone=phone,
        kind=purpose.message_kind,
        params={"code": code, "minutes": purpose.minutes, **(params or {})},
        locale=locale,
        key=message_key(purpose, code_hash),
        now=now,
        cause=cause,
        expires_at=now + purpose.valid_for,
    )


def codes_left(
    session: Session, purpose: Purpose, phone: str, *, subject: str | None, now: datetime
) -> int:
    """How many more codes the holder may be sent in the purpose's window."""
    sent = session.scalar(
        select(func.count())
        .select_from(PhoneCode)
        .where(*_holder(purpose, phone, subject), PhoneCode.created_at > now - purpose.window)
    )
    return max(0, purpose.per_window - (sent or 0))


def message_key(purpose: Purpose, code_hash: str) -> str:
    """The outbox key of the SMS sending the code with this digest."""
    return f"code:{purpose.name}:{code_hash[:40]}"


def _never_sent(session: Session, purpose: Purpose, code_hash: str) -> bool:
    """Whether the SMS of this code failed for good (no gateway, refused, undeliverable):
    a code that never arrived starts no wait for the next one."""
    state = session.scalar(
        select(SmsMessage.state).where(
            SmsMessage.idempotency_key == message_key(purpose, code_hash)
        )
    )
    return state in NEVER_SENT


def _holder(purpose: Purpose, phone: str, subject: str | None) -> list[ColumnElement[bool]]:
    subject_is = PhoneCode.subject.is_(None) if subject is None else PhoneCode.subject == subject
    return [PhoneCode.phone == phone, PhoneCode.purpose == purpose.name, subject_is]


def issue(
    session: Session,
    purpose: Purpose,
    phone: str,
    *,
    subject: str | None = None,
    secret: bytes,
    locale: str,
    now: datetime,
    params: dict[str, Any] | None = None,
    cause: str | None = None,
) -> tuple[PhoneCode, str]:
    """Send a new code to `phone` (a normalised number) for `purpose` and `subject`, with
    the SMS's other `params` and `cause` (by default the code itself); return its row and
    the code.

    Refused with TooMany when the holder was sent a code less than the resend gap ago, or
    as many as the purpose allows in its window.
    """
    # Two requests at once for one holder must not both pass the limits below.
    serialize_on(session, f"phone-code:{purpose.name}:{phone}:{subject or ''}")
    holder = _holder(purpose, phone, subject)
    session.execute(delete(PhoneCode).where(*holder, PhoneCode.created_at < now - KEPT_FOR))
    newest = session.execute(
        select(PhoneCode.created_at, PhoneCode.code_hash)
        .where(*holder, PhoneCode.created_at > now - purpose.window)
        .order_by(PhoneCode.created_at.desc())
    ).all()
    sent = [row.created_at for row in newest]
    waiting = sent and now - sent[0] < purpose.resend_after
    if waiting and not _never_sent(session, purpose, newest[0].code_hash):
        wait = math.ceil((sent[0] + purpose.resend_after - now).total_seconds())
        raise TooMany(
            _l(
                "A code was sent less than a minute ago. Please wait %(seconds)d seconds.",
                seconds=wait,
            ),
            retry_after=wait,
        )
    if len(sent) >= purpose.per_window:
        minutes = max(1, math.ceil((sent[-1] + purpose.window - now).total_seconds() / 60))
        raise TooMany(
            purpose.too_many
            or _l(
                "Too many codes were sent to this number. Please try again in %(minutes)d minutes.",
                minutes=minutes,
            ),
            retry_after=minutes * 60,
        )
    values, code = new_code(purpose, phone, subject=subject, secret=secret, now=now)
    record = PhoneCode(**values)
    session.add(record)
    session.flush()
    message = code_message(
        purpose, phone, code, code_hash=record.code_hash, locale=locale, now=now, params=params,
        cause=cause or f"phone_codes:{record.id}",
    )  # fmt: skip
    session.execute(queue_statement(session.get_bind().dialect.name), message)
    return record, code


def check(
    session: Session,
    purpose: Purpose,
    phone: str,
    entered: str,
    *,
    subject: str | None = None,
    secret: bytes,
    now: datetime,
) -> PhoneCode:
    """Check the code typed for `purpose` and `subject` against the newest one sent to
    `phone`, and mark it used; only the newest counts, once, while it lives and for the
    purpose's number of tries. Refused with Invalid (field "code"), the try counted; what
    cannot be a code at all (five digits, letters) is refused without counting a try."""
    typed = typed_code(entered)
    if typed is None:
        raise Invalid(_l("The code has 6 digits."), field="code")
    # Locked, so that tries made at the same moment are counted one after another.
    latest = session.scalar(
        select(PhoneCode)
        .where(*_holder(purpose, phone, subject))
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if latest is None or latest.used_at is not None:
        raise Invalid(_l("There is no code waiting. Ask for a new code."), field="code")
    if latest.expires_at <= now:
        raise Invalid(_l("This code has expired. Ask for a new code."), field="code")
    if latest.attempts >= purpose.tries:
        raise Invalid(
            _l("This code was entered wrongly too many times. Ask for a new code."), field="code"
        )
    latest.attempts += 1
    if not hmac.compare_digest(latest.code_hash, digest(secret, phone, subject, typed)):
        session.flush()
        left = purpose.tries - latest.attempts
        raise Invalid(
            _l("The code is not right. You can try %(count)d more times.", count=left)
            if left
            else _l("The code is not right, and this code no longer works. Ask for a new code."),
            field="code",
        )
    latest.used_at = now
    session.flush()
    return latest


def purge(session: Session, now: datetime) -> int:
    """Delete codes older than a day (the worker runs this every hour)."""
    return session.execute(delete(PhoneCode).where(PhoneCode.created_at < now - KEPT_FOR)).rowcount
