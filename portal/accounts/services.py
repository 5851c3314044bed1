"""Signing in and out: SMS codes for residents (through codes.py), passwords for staff,
and session revocation.

Functions take a Session and plain values (and `now`); they flush but never commit. A refused
attempt raises a DomainError after recording what must survive it (a spent try, a failed
sign-in); the caller commits that record and shows the message.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import codes
from portal.accounts.models import PhoneCode, User, new_session_token
from portal.accounts.passwords import hash_password, password_matches, password_problem
from portal.audit import services as audit
from portal.audit.models import Outcome
from portal.errors import Forbidden, Invalid, TooMany
from portal.i18n import LOCALES
from portal.phones import mask_phone, normalize_phone

# A resident's sign-in code: five minutes, five tries, one a minute and five an hour per
# number; ten an hour from one client address.
SIGN_IN = codes.register(
    codes.Purpose(
        name="sign_in",
        message_kind="sign_in_code",
        valid_for=timedelta(minutes=5),
        tries=5,
        resend_after=timedelta(seconds=60),
        per_window=5,
        window=timedelta(hours=1),
        per_address="10/hour",
    )
)
MAX_FAILED_SIGN_INS = 5
LOCK_FOR = timedelta(minutes=15)


def valid_phone(raw: str | None) -> str:
    """The normalised number, or Invalid with a message the user can act on."""
    phone = normalize_phone(raw)
    if phone is None:
        raise Invalid(_l("Enter an 11-digit mainland mobile number, like 138 0013 8000."))
    return phone


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


def request_sign_in_code(
    session: Session, phone: str, *, secret: bytes, locale: str, now: datetime
) -> PhoneCode:
    """Send a new six-digit sign-in code to `phone`, unless it was sent too many codes lately;
    only its HMAC under `secret` (the app's secret key) is kept."""
    record, _code = codes.issue(
        session, SIGN_IN, valid_phone(phone), secret=secret, locale=locale, now=now
    )
    return record


def pending_sign_in_phone(session: Session, code_id: object) -> str | None:
    """The number the sign-in code `code_id` was sent to; None when there is no such code
    (any more: codes are deleted after a day). A browser between asking for a code and
    typing it keeps only the code's id, so that its cookie never carries the number."""
    if not isinstance(code_id, int) or isinstance(code_id, bool):
        return None
    record = session.get(PhoneCode, code_id)
    return record.phone if record is not None and record.purpose == SIGN_IN.name else None


def verify_sign_in_code(
    session: Session, phone: str, code: str, *, secret: bytes, locale: str | None, now: datetime
) -> User:
    """Check the newest code sent to `phone` and return its account, creating it if new.

    Only the newest code counts; it works once, for five minutes, and for five tries.
    """
    phone = valid_phone(phone)
    codes.check(session, SIGN_IN, phone, code, secret=secret, now=now)
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, locale=locale, created_at=now)
        session.add(user)
    elif user.password_hash or user.is_staff:
        raise Forbidden(
            _l("This number belongs to a staff account. Please sign in with your password.")
        )
    elif not user.is_active:
        raise Forbidden(_l("This account has been disabled. Please contact your community."))
    if user.phone_verified_at is None:
        user.phone_verified_at = now
    user.last_sign_in_at = now
    session.flush()
    audit.record(
        session, "accounts.sign_in", actor=user, target=user, now=now, details={"method": "sms"}
    )
    return user


def sign_in_with_password(session: Session, phone: str, password: str, *, now: datetime) -> User:
    """Check a staff member's password; five failures in a row lock the account for 15 minutes."""
    number = normalize_phone(phone)
    # Locked, so that failures at the same moment all count towards the lock-out.
    query = select(User).where(User.phone == number).with_for_update()
    user = session.scalar(query) if number else None
    masked = {"phone": mask_phone(number or "")}

    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(
            session, "accounts.sign_in", actor=None, target=user, now=now,
            outcome=Outcome.DENIED, details={"reason": "locked"},
        )  # fmt: skip
        minutes = _minutes_until(user.locked_until, now)
        raise TooMany(
            _l(
                "This account is locked after too many failed sign-ins. Try again in %(minutes)d minutes.",
                minutes=minutes,
            ),
            retry_after=minutes * 60,
        )

    # Refused attempts name the account as their target, not as their actor: whoever typed
    # the password has not proved to be its owner.
    if user is None or not password_matches(user.password_hash, password):
        details = {**masked, "reason": "wrong_password"}
        if user is not None and user.password_hash:
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                user.failed_sign_ins = 0
                user.locked_until = now + LOCK_FOR
                details["locked"] = True
        audit.record(
            session, "accounts.sign_in", actor=None, target=user, now=now,
            outcome=Outcome.FAILURE, details=details,
        )  # fmt: skip
        if details.get("locked"):
            raise TooMany(
                _l(
                    "Too many failed sign-ins. This account is locked for %(minutes)d minutes.",
                    minutes=int(LOCK_FOR.total_seconds() // 60),
                )
            )
        raise Invalid(_l("The phone number or the password is not right."))

    if not user.is_active:
        audit.record(
            session, "accounts.sign_in", actor=None, target=user, now=now,
            outcome=Outcome.DENIED, details={"reason": "disabled"},
        )  # fmt: skip
        raise Forbidden(_l("This account has been disabled. Please contact your administrator."))

    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    audit.record(
        session,
        "accounts.sign_in",
        actor=user,
        target=user,
        now=now,
        details={"method": "password"},
    )
    return user


def end_all_sessions(user: User) -> None:
    """Make every session cookie issued to `user` so far useless."""
    user.session_token = new_session_token()


def sign_out(session: Session, user: User, *, now: datetime) -> None:
    """End every session of `user`, on this device and any other."""
    end_all_sessions(user)
    audit.record(session, "accounts.sign_out", actor=user, target=user, now=now)


def change_password(session: Session, user: User, current: str, new: str, *, now: datetime) -> None:
    """Replace the user's own password; every other session of theirs ends."""
    if not password_matches(user.password_hash, current):
        raise Invalid(_l("Your current password is not right."), field="current_password")
    if current == new:
        raise Invalid(_l("Choose a password different from the current one."), field="new_password")
    problem = password_problem(new, phone=user.phone)
    if problem:
        raise Invalid(problem, field="new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(user)
    audit.record(session, "accounts.change_password", actor=user, target=user, now=now)


def _check_locale(locale: str | None) -> None:
    if locale is not None and locale not in LOCALES:
        raise Invalid(_l("Choose one of the languages offered."), field="locale")


def update_preferences(
    session: Session, user: User, *, display_name: str, locale: str | None
) -> None:
    """Change how the user is named and which language the portal speaks to them in
    (None: the language of their phone)."""
    _check_locale(locale)
    user.display_name = display_name.strip()[:50]
    user.locale = locale
    session.flush()


def set_language(session: Session, user: User, locale: str) -> None:
    """Remember the language the user chose with the switch."""
    _check_locale(locale)
    user.locale = locale
    session.flush()
