"""The SMS-code service without HTTP: issuing, checking, expiry, tries, the resend gap and the
limit per window of each purpose, purposes and subjects kept apart, and the digests."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import codes
from portal.accounts.models import PhoneCode
from portal.accounts.services import SIGN_IN
from portal.appeals.services import APPEAL_CODE
from portal.errors import Invalid, TooMany
from portal.notifications.models import MessageState, SmsMessage
from tests.factories import CODE_SECRET

pytestmark = pytest.mark.usefixtures("app_context")

PHONE = "13800138000"
SUBJECT = "appeal:A2611-7K3Q"
# Each purpose with the subject its codes confirm (sign-in codes confirm none).
PURPOSES = [(SIGN_IN, None), (APPEAL_CODE, SUBJECT)]
ids = [purpose.name for purpose, _subject in PURPOSES]


def issue(session, purpose, now, subject=None, phone=PHONE):
    return codes.issue(
        session, purpose, phone, subject=subject, secret=CODE_SECRET, locale="en", now=now,
        params={"tracking": "A2611-7K3Q"},
    )  # fmt: skip


def check(session, purpose, code, now, subject=None, phone=PHONE):
    return codes.check(session, purpose, phone, code, subject=subject, secret=CODE_SECRET, now=now)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_kept_as_a_digest_and_sent_in_its_purposes_message(session, sms, now):
    record, code = issue(session, APPEAL_CODE, now, SUBJECT)
    assert re.fullmatch(r"\d{6}", code) and code not in record.code_hash
    assert (record.purpose, record.phone, record.subject) == ("appeal", PHONE, SUBJECT)
    assert record.expires_at == now + timedelta(minutes=10) and record.attempts == 0
    [message] = sms.recent()
    assert message.kind == "appeal_code" and code in message.body and "A2611-7K3Q" in message.body
    assert "valid for 10 minutes" in message.body
    assert message.cause == f"phone_codes:{record.id}" and message.expires_at == record.expires_at


def test_the_digests_are_those_kept_before_the_codes_moved_here():
    """Sign-in codes were keyed on the phone, a report's on "appeal:<tracking>"."""
    sign_in = hmac.new(CODE_SECRET, f"{PHONE}:123456".encode(), hashlib.sha256).hexdigest()
    appeal = hmac.new(CODE_SECRET, b"appeal:A2611-7K3Q:123456", hashlib.sha256).hexdigest()
    assert codes.digest(CODE_SECRET, PHONE, None, "123456") == sign_in
    assert codes.digest(CODE_SECRET, PHONE, SUBJECT, "123456") == appeal


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_the_right_code_works_once_spaces_and_all(session, sms, now, purpose, subject):
    _record, code = issue(session, purpose, now, subject)
    used = check(session, purpose, f" {code[:3]} {code[3:]} ", now + timedelta(minutes=1), subject)
    assert used.used_at == now + timedelta(minutes=1) and used.attempts == 1
    with pytest.raises(Invalid, match="no code waiting") as refused:
        check(session, purpose, code, now + timedelta(minutes=1), subject)
    assert refused.value.details["field"] == "code"


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_a_code_lives_as_long_as_its_purpose_says(session, sms, now, purpose, subject):
    _record, code = issue(session, purpose, now, subject)
    with pytest.raises(Invalid, match="expired"):
        check(session, purpose, code, now + purpose.valid_for, subject)
    _record, code = issue(session, purpose, now + purpose.valid_for, subject)
    later = now + 2 * purpose.valid_for - timedelta(seconds=1)
    assert check(session, purpose, code, later, subject).used_at == later


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_the_last_wrong_try_kills_the_code_even_the_right_one_after(
    session, sms, now, purpose, subject
):
    _record, code = issue(session, purpose, now, subject)
    for left in range(purpose.tries - 1, 0, -1):
        with pytest.raises(Invalid, match=f"You can try {left} more times"):
            check(session, purpose, wrong(code), now, subject)
    with pytest.raises(Invalid, match="no longer works"):
        check(session, purpose, wrong(code), now, subject)
    with pytest.raises(Invalid, match="too many times"):
        check(session, purpose, code, now, subject)


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_only_the_newest_code_counts(session, sms, now, purpose, subject):
    _record, first = issue(session, purpose, now, subject)
    _record, second = issue(session, purpose, now + purpose.resend_after, subject)
    if first != second:
        with pytest.raises(Invalid, match="not right"):
            check(session, purpose, first, now + purpose.resend_after, subject)
    check(session, purpose, second, now + purpose.resend_after, subject)


@pytest.mark.parametrize(
    ("purpose", "subject", "refusal"),
    [
        (SIGN_IN, None, "Please try again in 55 minutes"),
        (APPEAL_CODE, SUBJECT, "Too many codes were sent for this report"),
    ],
    ids=ids,
)
def test_a_code_waits_the_resend_gap_and_the_window_holds_so_many(
    session, sms, now, purpose, subject, refusal
):
    issue(session, purpose, now, subject)
    with pytest.raises(TooMany, match="Please wait 30 seconds") as early:
        issue(session, purpose, now + timedelta(seconds=30), subject)
    assert early.value.details["retry_after"] == 30
    for n in range(1, purpose.per_window):
        issue(session, purpose, now + n * purpose.resend_after, subject)
    with pytest.raises(TooMany, match=refusal):
        issue(session, purpose, now + 4 * purpose.resend_after + timedelta(seconds=61), subject)
    assert len(sms.recent()) == purpose.per_window
    # Once the first code leaves the window, one more may be sent.
    issue(session, purpose, now + purpose.window, subject)


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_a_code_whose_sms_failed_starts_no_wait(session, sms, now, purpose, subject):
    """No gateway, or one that refused the message: the next code need not wait a minute
    (it still counts towards the window)."""
    record, _code = issue(session, purpose, now, subject)
    message = session.scalars(
        select(SmsMessage).where(
            SmsMessage.idempotency_key == codes.message_key(purpose, record.code_hash)
        )
    ).one()
    message.state = MessageState.FAILED
    issue(session, purpose, now + timedelta(seconds=10), subject)
    # That one was sent: the gap holds again.
    with pytest.raises(TooMany, match="Please wait"):
        issue(session, purpose, now + timedelta(seconds=20), subject)
    assert codes.codes_left(session, purpose, PHONE, subject=subject, now=now) == (
        purpose.per_window - 2
    )


def test_no_limit_is_shared_across_purposes_numbers_or_subjects(session, sms, now):
    for n in range(SIGN_IN.per_window):
        issue(session, SIGN_IN, now + n * SIGN_IN.resend_after)
    busy = now + SIGN_IN.per_window * SIGN_IN.resend_after
    with pytest.raises(TooMany):
        issue(session, SIGN_IN, busy)
    # The same number, another purpose; and the same purpose, another subject or number.
    _record, appeal_code = issue(session, APPEAL_CODE, busy, SUBJECT)
    issue(session, APPEAL_CODE, busy, "appeal:A2611-2222")
    issue(session, SIGN_IN, busy, phone="13900139000")
    # A code confirms its own purpose and subject only.
    with pytest.raises(Invalid, match="not right"):
        check(session, APPEAL_CODE, appeal_code, busy, "appeal:A2611-2222")
    with pytest.raises(Invalid, match="not right"):
        check(session, SIGN_IN, appeal_code, busy)
    check(session, APPEAL_CODE, appeal_code, busy, SUBJECT)


def test_codes_older_than_a_day_are_purged(session, sms, now):
    issue(session, SIGN_IN, now)
    issue(session, APPEAL_CODE, now + timedelta(hours=2), SUBJECT)
    assert codes.purge(session, now + timedelta(days=1, hours=1)) == 1
    assert session.scalars(select(PhoneCode.purpose)).all() == ["appeal"]


def test_a_holder_asking_again_clears_its_own_codes_older_than_a_day(session, sms, now):
    issue(session, SIGN_IN, now)
    issue(session, SIGN_IN, now, phone="13900139000")
    issue(session, SIGN_IN, now + timedelta(days=2))
    assert session.scalar(select(func.count()).select_from(PhoneCode)) == 2


def test_a_purpose_is_registered_under_its_own_name_once(monkeypatch):
    monkeypatch.setattr(codes, "PURPOSES", {})
    meeting = codes.Purpose(name="meeting", message_kind="sign_in_code", valid_for=timedelta(1))
    assert codes.register(meeting) is meeting
    with pytest.raises(ValueError, match="registered already"):
        codes.register(replace(meeting, tries=3))


def test_no_purpose_counts_over_a_window_longer_than_codes_are_kept():
    with pytest.raises(ValueError, match="codes are kept"):
        replace(SIGN_IN, name="long", window=codes.KEPT_FOR + timedelta(seconds=1))


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_a_code_typed_in_full_width_digits_is_the_code(session, sms, now, purpose, subject):
    """A Chinese input method in full-width mode types ６９０５２５: that is the code."""
    _record, code = issue(session, purpose, now, subject)
    used = check(session, purpose, code.translate(FULL_WIDTH), now + timedelta(minutes=1), subject)
    assert used.used_at is not None and used.attempts == 1


@pytest.mark.parametrize("typed", ["12345", "1234567", "12345a", "", "一二三四五六"])
@pytest.mark.parametrize(("purpose", "subject"), PURPOSES, ids=ids)
def test_what_cannot_be_a_code_spends_no_try(session, sms, now, purpose, subject, typed):
    record, code = issue(session, purpose, now, subject)
    with pytest.raises(Invalid, match="6 digits") as refused:
        check(session, purpose, typed, now + timedelta(minutes=1), subject)
    assert refused.value.details["field"] == "code"
    assert record.attempts == 0
    assert check(session, purpose, code, now + timedelta(minutes=1), subject).used_at is not None


@pytest.mark.parametrize(
    ("typed", "read"),
    [("６９０５２５", "690525"), (" 690 525 ", "690525"), ("690-525", "690525"), ("69O525", None)],
)
def test_typed_code_reads_what_people_type(typed, read):
    assert codes.typed_code(typed) == read
