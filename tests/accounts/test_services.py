"""Signing in without HTTP: SMS codes, passwords, lock-out and session revocation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.models import PhoneCode, User
from portal.audit.models import AuditEvent, Outcome
from portal.errors import Forbidden, Invalid, TooMany
from portal.permissions import Role
from tests import factories
from tests.factories import CODE_SECRET

pytestmark = pytest.mark.usefixtures("app_context")

PHONE = "13800138000"


def sent_code(sms) -> str:
    return sms.code()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_six_digits_sent_in_the_residents_language(session, sms, now):
    services.request_sign_in_code(
        session, "138 0013 8000", secret=CODE_SECRET, locale="en", now=now
    )
    message = sms.recent()[0]
    assert message.phone == PHONE
    assert re.fullmatch(r"\d{6}", sent_code(sms))
    assert "valid for 5 minutes" in message.body
    services.request_sign_in_code(
        session, "13900000000", secret=CODE_SECRET, locale="zh_Hans_CN", now=now
    )
    assert "5分钟内有效" in sms.recent()[0].body


def test_only_a_digest_of_the_code_is_stored(session, sms, now):
    record = services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    assert sent_code(sms) not in record.code_hash
    assert len(record.code_hash) == 64


def test_the_right_code_signs_a_new_resident_in_and_verifies_the_phone(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    user = services.verify_sign_in_code(
        session,
        PHONE,
        sent_code(sms),
        secret=CODE_SECRET,
        locale="en",
        now=now + timedelta(minutes=1),
    )
    assert user.phone == PHONE
    assert user.phone_verified_at == now + timedelta(minutes=1)
    assert user.locale == "en"
    assert user.roles == set()


def test_a_code_works_only_once(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    code = sent_code(sms)
    services.verify_sign_in_code(session, PHONE, code, secret=CODE_SECRET, locale="en", now=now)
    with pytest.raises(Invalid, match="no code waiting"):
        services.verify_sign_in_code(session, PHONE, code, secret=CODE_SECRET, locale="en", now=now)


def test_a_code_expires_after_five_minutes(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    code = sent_code(sms)
    with pytest.raises(Invalid, match="expired"):
        services.verify_sign_in_code(
            session, PHONE, code, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=5)
        )
    # A moment earlier it still worked.
    services.request_sign_in_code(
        session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=10)
    )
    code = sent_code(sms)
    services.verify_sign_in_code(
        session,
        PHONE,
        code,
        secret=CODE_SECRET,
        locale="en",
        now=now + timedelta(minutes=14, seconds=59),
    )


def test_five_wrong_tries_kill_the_code_even_the_right_one_after(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    code = sent_code(sms)
    for left in (4, 3, 2, 1):
        with pytest.raises(Invalid, match=f"{left} more times"):
            services.verify_sign_in_code(
                session, PHONE, wrong(code), secret=CODE_SECRET, locale="en", now=now
            )
    with pytest.raises(Invalid, match="no longer works"):
        services.verify_sign_in_code(
            session, PHONE, wrong(code), secret=CODE_SECRET, locale="en", now=now
        )
    with pytest.raises(Invalid, match="too many times"):
        services.verify_sign_in_code(session, PHONE, code, secret=CODE_SECRET, locale="en", now=now)


def test_only_the_newest_code_counts(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    first = sent_code(sms)
    services.request_sign_in_code(
        session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=2)
    )
    second = sent_code(sms)
    if first != second:
        with pytest.raises(Invalid):
            services.verify_sign_in_code(
                session,
                PHONE,
                first,
                secret=CODE_SECRET,
                locale="en",
                now=now + timedelta(minutes=2),
            )
    services.verify_sign_in_code(
        session, PHONE, second, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=2)
    )


def test_a_new_code_waits_a_minute_and_at_most_five_an_hour(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    with pytest.raises(TooMany, match="wait 30 seconds") as refused:
        services.request_sign_in_code(
            session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(seconds=30)
        )
    assert refused.value.details["retry_after"] == 30
    for minute in range(1, 5):
        services.request_sign_in_code(
            session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=minute)
        )
    with pytest.raises(TooMany, match="try again in 55 minutes"):
        services.request_sign_in_code(
            session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=5)
        )
    assert len(sms.recent()) == 5
    # An hour after the first, one more may go.
    services.request_sign_in_code(
        session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(minutes=61)
    )


def test_another_number_has_its_own_allowance(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    services.request_sign_in_code(session, "13900139000", secret=CODE_SECRET, locale="en", now=now)
    assert len(sms.recent()) == 2


@pytest.mark.parametrize(
    "bad", ["", "12345", "1380013800", "23800138000", "1280013800a", "138001380001"]
)
def test_a_code_is_not_sent_to_a_number_that_is_not_a_mainland_mobile(session, sms, now, bad):
    with pytest.raises(Invalid, match="11-digit"):
        services.request_sign_in_code(session, bad, secret=CODE_SECRET, locale="en", now=now)
    assert sms.recent() == []
    assert session.scalar(select(PhoneCode)) is None


def test_a_staff_number_cannot_sign_in_by_sms(session, sms, now):
    factories.user(session, Role.SECRETARY, phone=PHONE)
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    with pytest.raises(Forbidden, match="staff account"):
        services.verify_sign_in_code(
            session, PHONE, sent_code(sms), secret=CODE_SECRET, locale="en", now=now
        )


def test_a_disabled_resident_cannot_sign_in(session, sms, now):
    resident = factories.user(session, phone=PHONE)
    resident.disabled_at = now
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    with pytest.raises(Forbidden, match="disabled"):
        services.verify_sign_in_code(
            session, PHONE, sent_code(sms), secret=CODE_SECRET, locale="en", now=now
        )


# Staff passwords


def test_the_right_password_signs_staff_in_and_is_audited(session, now):
    staff = factories.user(session, Role.GRID_WORKER)
    signed_in = services.sign_in_with_password(session, staff.phone, factories.PASSWORD, now=now)
    assert signed_in is staff
    assert staff.last_sign_in_at == now
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "accounts.sign_in")).one()
    assert (event.actor_id, event.outcome, event.details["method"]) == (
        staff.id,
        Outcome.SUCCESS,
        "password",
    )


def test_a_wrong_password_and_an_unknown_number_get_the_same_answer(session, now):
    staff = factories.user(session, Role.GRID_WORKER)
    with pytest.raises(Invalid) as wrong_password:
        services.sign_in_with_password(session, staff.phone, "not the password", now=now)
    with pytest.raises(Invalid) as unknown:
        services.sign_in_with_password(session, "13700137000", factories.PASSWORD, now=now)
    assert str(wrong_password.value.message) == str(unknown.value.message)
    failures = session.scalars(
        select(AuditEvent).where(AuditEvent.outcome == Outcome.FAILURE)
    ).all()
    assert [event.details["phone"] for event in failures] == [
        staff.phone[:3] + "****" + staff.phone[-4:],
        "137****7000",
    ]


def test_five_failures_lock_the_account_for_fifteen_minutes(session, now):
    staff = factories.user(session, Role.SECRETARY)
    for attempt in range(4):
        with pytest.raises(Invalid):
            services.sign_in_with_password(
                session, staff.phone, "wrong password", now=now + timedelta(seconds=attempt)
            )
    with pytest.raises(TooMany, match="locked for 15 minutes"):
        services.sign_in_with_password(
            session, staff.phone, "wrong password", now=now + timedelta(seconds=5)
        )
    # Locked: even the right password is refused, and the refusal is logged.
    with pytest.raises(TooMany, match="Try again in 14 minutes"):
        services.sign_in_with_password(
            session, staff.phone, factories.PASSWORD, now=now + timedelta(minutes=2)
        )
    denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == Outcome.DENIED)).one()
    assert denied.details == {"reason": "locked"}
    # Fifteen minutes on, the right password works and clears the count.
    services.sign_in_with_password(
        session, staff.phone, factories.PASSWORD, now=now + timedelta(minutes=15, seconds=5)
    )
    assert staff.failed_sign_ins == 0
    assert staff.locked_until is None


def test_a_success_resets_the_failure_count(session, now):
    staff = factories.user(session, Role.SECRETARY)
    for _ in range(4):
        with pytest.raises(Invalid):
            services.sign_in_with_password(session, staff.phone, "wrong password", now=now)
    services.sign_in_with_password(session, staff.phone, factories.PASSWORD, now=now)
    for _ in range(4):
        with pytest.raises(Invalid):
            services.sign_in_with_password(session, staff.phone, "wrong password", now=now)
    assert staff.locked_until is None


def test_a_disabled_staff_member_cannot_sign_in(session, now):
    staff = factories.user(session, Role.OFFICER)
    staff.disabled_at = now
    with pytest.raises(Forbidden, match="disabled"):
        services.sign_in_with_password(session, staff.phone, factories.PASSWORD, now=now)


def test_a_resident_without_password_cannot_use_the_password_form(session, now):
    resident = factories.user(session)
    with pytest.raises(Invalid):
        services.sign_in_with_password(session, resident.phone, "", now=now)
    assert resident.failed_sign_ins == 0


# Sessions


def test_signing_out_changes_the_token_every_cookie_carries(session, now):
    staff = factories.user(session, Role.GRID_WORKER)
    cookie_id = staff.get_id()
    services.sign_out(session, staff, now=now)
    assert staff.get_id() != cookie_id
    assert staff.get_id().split(":")[0] == cookie_id.split(":")[0]


def test_changing_the_password_ends_other_sessions(session, now):
    staff = factories.user(session, Role.GRID_WORKER)
    staff.must_change_password = True
    token = staff.session_token
    services.change_password(
        session, staff, factories.PASSWORD, "a brand new long passphrase", now=now
    )
    assert staff.session_token != token
    assert staff.must_change_password is False
    assert (
        services.sign_in_with_password(session, staff.phone, "a brand new long passphrase", now=now)
        is staff
    )


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("wrong current password", "a brand new long passphrase", "current password is not right"),
        (factories.PASSWORD, factories.PASSWORD, "different from the current"),
        (factories.PASSWORD, "short", "at least 10"),
        (factories.PASSWORD, "1234567890", "too common"),
    ],
)
def test_a_bad_new_password_is_refused_and_nothing_changes(session, now, current, new, message):
    staff = factories.user(session, Role.GRID_WORKER)
    before = (staff.password_hash, staff.session_token)
    with pytest.raises(Invalid, match=message):
        services.change_password(session, staff, current, new, now=now)
    assert (staff.password_hash, staff.session_token) == before


def test_preferences_are_saved(session):
    resident = factories.user(session)
    services.update_preferences(session, resident, display_name="  王阿姨 ", locale="en")
    assert (resident.display_name, resident.locale) == ("王阿姨", "en")
    assert session.get(User, resident.id).locale == "en"


def test_a_language_outside_the_two_is_refused(session):
    resident = factories.user(session)
    with pytest.raises(Invalid, match="languages offered"):
        services.update_preferences(session, resident, display_name="", locale="fr")
    with pytest.raises(Invalid):
        services.set_language(session, resident, "de")
    services.update_preferences(session, resident, display_name="", locale=None)
    assert resident.locale is None


def test_codes_older_than_a_day_are_deleted_when_the_number_asks_again(session, sms, now):
    services.request_sign_in_code(session, PHONE, secret=CODE_SECRET, locale="en", now=now)
    services.request_sign_in_code(
        session, PHONE, secret=CODE_SECRET, locale="en", now=now + timedelta(days=2)
    )
    assert session.scalars(select(PhoneCode.created_at)).all() == [now + timedelta(days=2)]
