"""The volunteer's time-bank page: hours stored, banked this year and by kind (one grouped
query), the cap, and the history in plain words, paged by id 20 at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from portal.db import utcnow
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.permissions import SYSTEM, Role
from portal.volunteering import giving, hours_page, timebank
from portal.volunteering.models import ServiceKind, SignUp
from portal.volunteering.timebank import TimeBankRules
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.volunteering.test_giving import bank, relative

pytestmark = pytest.mark.usefixtures("app_context")

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
LAST_YEAR = datetime(2025, 11, 3, 2, 0, tzinfo=UTC)
RULES = TimeBankRules(cap_minutes=600)


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def volunteer(session, tree):
    return factories.volunteer(session, tree.community, name="张三丰")


def show(session, user, older=None):
    return hours_page.hours_page(session, user, RULES, older=older, now=NOW)


class Statements:
    """Counts the statements a block of code runs on the session's connection."""

    def __init__(self, session):
        self.connection = session.connection()
        self.count = 0

    def _count(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.connection, "before_cursor_execute", self._count)


def test_stored_banked_this_year_and_by_kind_of_service(session, tree, volunteer):
    bank(session, volunteer.user, 120, tree.community, title="陪伴独居老人", rules=RULES)
    bank(session, volunteer.user, 90, tree.community, title="陪伴散步", rules=RULES)
    old = bank(session, volunteer.user, 60, tree.community, title="去年陪伴", rules=RULES)
    old.confirmed_at = LAST_YEAR
    meals = bank(session, volunteer.user, 30, tree.community, title="助餐", rules=RULES)
    meals.activity.service_kind = session.scalars(
        select(ServiceKind).where(ServiceKind.code == "meals")
    ).one()
    # Not serving the elderly: on the record, never in the time bank.
    other = factories.activity(session, tree.community, starts_at=NOW - timedelta(days=1),
                               serves_elderly=False, title="植树")  # fmt: skip
    session.add(SignUp(activity_id=other.id, volunteer_id=volunteer.id, state="seated",
                       confirmed_minutes=240, confirmed_at=NOW))  # fmt: skip
    session.flush()
    shown = show(session, volunteer.user)
    assert shown.held == 300 and shown.cap == 600 and shown.room == 300 and shown.percent == 50
    assert shown.banked_this_year == 240
    assert [(k.name, k.minutes, k.this_year) for k in shown.by_kind] == [
        ("Meals", 30, 30),
        ("Company", 270, 210),
    ]


def test_the_page_reads_in_the_same_few_queries_however_much_it_shows(session, tree, volunteer):
    bank(session, volunteer.user, 30, tree.community, rules=RULES)
    with Statements(session) as few:
        show(session, volunteer.user)
    parent = relative(session, volunteer)
    for index in range(12):
        bank(session, volunteer.user, 30, tree.community, title=f"活动{index}", rules=RULES)
        giving.give_hours(session, volunteer.user, parent, minutes=30, rules=RULES, now=NOW)
    giving.donate_hours(session, volunteer.user, minutes=30, rules=RULES, now=NOW)
    with Statements(session) as many:
        lines = show(session, volunteer.user).history.lines
    assert len(lines) == 20
    assert many.count <= few.count + 4, (few.count, many.count)


def test_a_page_of_bankings_reads_seven_statements(session, tree, volunteer):
    """The volunteer, their account, the hours by kind, a page of movements and their
    transfers, the transfers' accounts, the activities' titles: no places, no relatives."""
    for index in range(25):
        bank(session, volunteer.user, 20, tree.community, title=f"活动{index}", rules=RULES)
    user = volunteer.user
    session.expire_all()
    assert user.is_authenticated and user.grants == []  # the signed-in person, read afresh
    with Statements(session) as counted:
        shown = show(session, user)
    assert len(shown.history.lines) == 20 and shown.history.lines[0].text == "Banked: 活动24"
    assert counted.count == 7


def test_the_hours_by_kind_are_read_through_the_volunteers_indexes(session, tree, volunteer):
    bank(session, volunteer.user, 30, tree.community, rules=RULES)
    statements = []
    connection = session.connection()
    keep = lambda *args: statements.append(args[2:4])  # noqa: E731
    event.listen(connection, "before_cursor_execute", keep)
    try:
        hours_page.banked_by_kind(session, volunteer, now=NOW)
    finally:
        event.remove(connection, "before_cursor_execute", keep)
    ((statement, parameters),) = statements
    if session.bind.dialect.name == "postgresql":
        # However small the test's tables, an index must serve the query.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    plan = " ".join(str(row) for row in connection.exec_driver_sql(explain + statement, parameters))
    assert "ix_volunteer_sign_ups_volunteer_id_confirmed" in plan, plan
    assert "ix_time_bank_help_requests_volunteer_id_id" in plan, plan


def test_each_movement_is_said_in_plain_words(session, tree, volunteer):
    parent = relative(session, volunteer, name="李秀英")
    bank(session, volunteer.user, 300, tree.community, title="陪伴独居老人", rules=RULES)
    gift = giving.give_hours(session, volunteer.user, parent, minutes=60, rules=RULES, now=NOW)
    giving.donate_hours(session, volunteer.user, minutes=30, rules=RULES, now=NOW)
    ledger.reverse(session, SYSTEM, gift, reason="送错了人", now=NOW)
    texts = [line.text for line in show(session, volunteer.user).history.lines]
    assert texts == [
        "Undone: 送错了人",
        "Donated to 甲社区 (en)'s pool",
        "Given to your parent 李秀英",
        "Banked: 陪伴独居老人",
    ]
    theirs = [line.text for line in show(session, parent.user).history.lines]
    assert theirs == ["Undone: 送错了人", "Received from 张三丰"]


def test_hours_over_the_cap_are_said_to_have_gone_to_the_pool(session, tree, volunteer):
    sign_up = bank(session, volunteer.user, 30, tree.community, title="陪伴独居老人", rules=RULES)
    activity = factories.activity(session, tree.community, starts_at=NOW - timedelta(days=1))
    late = SignUp(activity_id=activity.id, volunteer_id=volunteer.id, state="seated",
                  confirmed_minutes=60, confirmed_at=NOW)  # fmt: skip
    session.add(late)
    session.flush()
    assert sign_up.id != late.id
    issuer = timebank.issuer_account(session, tree.community, now=NOW)
    own = timebank.person_account(session, volunteer.user, RULES, now=NOW)
    pool = timebank.pool_account(session, tree.community, now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -60), (own, 30), (pool, 30)],
                subject=f"volunteering.sign_up:{late.id}", now=NOW)  # fmt: skip
    assert show(session, volunteer.user).history.lines[0].text == (
        "Banked: 陪伴独居老人 (the part over the limit went to the pool)"
    )
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    shown = hours_page.pool_page(session, coordinator, tree.community, older=None)
    assert shown.held == 30
    assert [line.text for line in shown.history.lines] == [
        "Over the limit: to the pool (陪伴独居老人)"
    ]


def test_the_history_is_paged_by_id_twenty_at_a_time(session, tree, volunteer):
    for index in range(45):
        bank(session, volunteer.user, 10, tree.community, title=f"活动{index}", rules=RULES)
    first = show(session, volunteer.user)
    assert len(first.history.lines) == 20 and first.history.lines[0].text == "Banked: 活动44"
    second = show(session, volunteer.user, older=first.history.older)
    assert len(second.history.lines) == 20 and second.history.lines[0].text == "Banked: 活动24"
    third = show(session, volunteer.user, older=second.history.older)
    assert len(third.history.lines) == 5 and third.history.older is None
    assert third.history.lines[-1].text == "Banked: 活动0"
    seen = {line.movement.id for p in (first, second, third) for line in p.history.lines}
    assert len(seen) == 45


def test_a_person_with_no_account_sees_nothing_and_no_account_is_made(session, volunteer):
    shown = show(session, volunteer.user)
    assert (shown.held, shown.cap, shown.history.lines, shown.by_kind) == (0, 600, [], [])
    assert hours_page.held_account(session, "person", user_id=volunteer.user_id) is None
    assert session.scalars(select(LedgerTransfer)).all() == []


# --- over HTTP -------------------------------------------------------------------------------


def test_the_volunteers_page_over_http(client, sms, session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone="13800138000"), name="张三丰"
    )
    bank(session, made.user, 90, tree.community, title="陪伴独居老人",
         rules=TimeBankRules(), now=utcnow())  # fmt: skip
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    body = page(client, "/volunteering/hours")
    for expected in ("Hours stored now", "1.5", "Banked: 陪伴独居老人", "1,500 hours",
                     "/volunteering/hours/give", "/volunteering/hours/donate",
                     "/volunteering/hours/relatives", "/volunteering/certificate"):  # fmt: skip
        assert expected in body, expected


def test_a_volunteer_holding_no_hours_is_offered_nothing_that_needs_them(
    client, sms, session, tree
):
    factories.volunteer(session, tree.community, user=factories.user(session, phone="13800138000"))
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    body = page(client, "/volunteering/hours")
    assert "/volunteering/relatives" in body or "/volunteering/hours/relatives" in body
    for offered in ("/volunteering/hours/give", "/volunteering/hours/donate", "cap-meter"):
        assert offered not in body, offered
    certificate = page(client, "/volunteering/certificate")
    assert "No hours have been confirmed yet" in certificate
    assert 'action="/volunteering/certificate"' not in certificate, "no button that must refuse"


def test_the_volunteers_page_in_chinese(client, sms, session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone="13800138000"), name="张三丰"
    )
    bank(session, made.user, 90, tree.community, title="陪伴独居老人",
         rules=TimeBankRules(), now=utcnow())  # fmt: skip
    session.commit()
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert client.post("/sign-in", data={"phone": "13800138000"}, headers=zh).status_code == 302
    assert (
        client.post("/sign-in/code", data={"code": sms.code("13800138000")}, headers=zh).status_code
        == 302
    )
    body = client.get("/volunteering/hours", headers=zh).get_data(as_text=True)
    assert "存入：陪伴独居老人" in body and "时间银行" in body


def test_a_relative_who_is_no_volunteer_sees_the_hours_given_to_them(client, sms, session, tree):
    volunteer = factories.volunteer(session, tree.community, name="张三丰")
    bank(session, volunteer.user, 120, tree.community, rules=TimeBankRules(), now=utcnow())
    parent = relative(session, volunteer, user=factories.user(session, phone="13700001111"))
    giving.give_hours(session, volunteer.user, parent, minutes=60, rules=TimeBankRules(),
                      now=utcnow())  # fmt: skip
    session.commit()
    sign_in_by_sms(client, sms, "13700001111")
    body = page(client, "/volunteering/hours")
    assert "Received from 张三丰" in body and "/volunteering/hours/give" not in body


def test_the_page_needs_a_signed_in_phone(client):
    response = client.get("/volunteering/hours", headers=EN)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_volunteers_start_page_shows_the_hours_they_hold(client, sms, session, tree):
    made = factories.volunteer(
        session, tree.community, user=factories.user(session, phone="13800138000"), name="张三丰"
    )
    bank(session, made.user, 150, tree.community, rules=TimeBankRules(), now=utcnow())
    session.commit()
    sign_in_by_sms(client, sms, "13800138000")
    body = page(client, "/volunteering/")
    assert "You hold 2.5 hours." in body and 'href="/volunteering/hours"' in body


def test_help_given_to_an_older_resident_counts_by_kind_and_this_year(session, tree, volunteer):
    from portal.volunteering import help_requests

    bank(session, volunteer.user, 120, tree.community, title="陪伴独居老人", rules=RULES)
    coordinator = factories.user(session, Role.COORDINATOR, tree.community, name="协调员")
    elder = factories.elder(session, tree.community)
    issuer = timebank.issuer_account(session, tree.community, now=NOW)
    own = timebank.person_account(session, elder.user, RULES, now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.MINUTES, kind=timebank.BANKED,
                legs=[(issuer, -240), (own, 240)], now=NOW)  # fmt: skip
    for kind, starts_at in (("meals", NOW - timedelta(days=2)), ("company", LAST_YEAR)):
        asked = help_requests.ask_for_help(
            session, elder.user, elder, service_kind=kind, starts_at=starts_at, minutes=60,
            location="幸福里12栋", note="", payer="own", rules=RULES,
            now=starts_at - timedelta(days=1),
        )  # fmt: skip
        help_requests.match_volunteer(session, coordinator, asked, volunteer=volunteer,
                                      now=starts_at - timedelta(days=1))  # fmt: skip
        help_requests.confirm_done(session, coordinator, asked, minutes=60, rules=RULES,
                                   now=starts_at + timedelta(hours=2))  # fmt: skip
    shown = show(session, volunteer.user)
    assert shown.banked_this_year == 120 + 60
    assert [(k.name, k.minutes, k.this_year) for k in shown.by_kind] == [
        ("Meals", 60, 60),
        ("Company", 180, 120),
    ]
