"""The yearly expiry of grid points in the districts that choose it: an SMS once to each holder
from December 1st (Shanghai), nothing moved until the year ends, then each holder's points at
the year's end moved to the district's issuing account once, however often the worker runs;
points earned in the new year stay, and a district not listed never loses any."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.db import db
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.notifications.models import SmsMessage
from portal.permissions import SYSTEM
from portal.points import accounts, expiry
from portal.points.models import PointsAward
from portal.points.page import points_page
from portal.points.settings import PointsSettings
from tests import factories
from tests.accounts.test_concurrency import together
from tests.accounts.test_views import page, sign_in_by_sms
from tests.points.test_awards import balance_of
from tests.points.test_ranking import earn, resident
from tests.points.test_views import another
from tests.points.world import NOW, make_world

# Moments in Shanghai, written in UTC (Shanghai is eight hours ahead).
NOV_30 = datetime(2026, 11, 30, 4, tzinfo=UTC)  # noon
DEC_1 = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # half past nine in the morning
DEC_31 = datetime(2026, 12, 31, 15, tzinfo=UTC)  # 23:00, an hour before the end
JAN_1 = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # half past midnight


def kept_everywhere() -> PointsSettings:
    return PointsSettings()


@pytest.fixture
def world(session, app_context):
    """Two holders in an expiring district, one in a district that keeps points, and one who
    earned in both."""
    made = make_world(session)
    keeping = factories.place(session, None, "乙区")
    elsewhere = factories.place(session, factories.place(session, keeping, "乙街道"), "丙社区")
    made.neighbour = resident(session, "李四")
    made.kept = resident(session, "王五")
    made.both = resident(session, "赵六")
    earn(session, made, made.resident, 25)
    earn(session, made, made.neighbour, 10, community=made.tree.other_community)
    earn(session, made, made.kept, 8, community=elsewhere)
    earn(session, made, made.both, 6)
    earn(session, made, made.both, 4, community=elsewhere)
    made.settings = PointsSettings(expiring_districts=frozenset({made.tree.district.code}))
    return made


def warned(session) -> list[SmsMessage]:
    return list(
        session.scalars(
            select(SmsMessage).where(SmsMessage.kind == expiry.EXPIRING_SMS).order_by(SmsMessage.id)
        )
    )


def issuer_balance(session, world) -> int:
    return ledger.balance(session, accounts.issuer_account(session, world.tree.community, now=NOW))


def test_from_december_1st_each_holder_is_texted_once(session, world):
    assert expiry.warn(session, world.settings, NOV_30) == 0 and warned(session) == []
    # Not at night: the first of December begins at midnight, the texts wait for the morning.
    assert expiry.warn(session, world.settings, DEC_1 - timedelta(hours=9)) == 0
    world.neighbour.locale = "en"
    assert expiry.warn(session, world.settings, DEC_1) == 2
    assert expiry.warn(session, world.settings, DEC_1 + timedelta(days=3)) == 0
    assert {message.expires_at for message in warned(session)} == {expiry.year_end(2026)}
    texts = {message.phone: message.body for message in warned(session)}
    assert texts == {
        world.resident.phone: "网格积分：您的25积分将于12月31日24时清零，请及时兑换。",
        world.neighbour.phone: "Grid points: your 10 points lapse at midnight on 31 December. "
        "Please use them in the points shop before then.",
    }


def test_nothing_moves_in_december_and_on_january_1st_it_moves_once(session, world):
    before = issuer_balance(session, world)
    assert expiry.expire(session, world.settings, DEC_31) == 0
    assert balance_of(session, world.resident) == 25
    assert expiry.expire(session, world.settings, JAN_1) == 2
    assert expiry.expire(session, world.settings, JAN_1 + timedelta(hours=1)) == 0
    assert balance_of(session, world.resident) == balance_of(session, world.neighbour) == 0
    assert issuer_balance(session, world) == before + 35
    held = accounts.held_account(session, world.resident.id)
    moved = ledger.transfer_about(session, expiry.EXPIRED, f"points.expiry:2026:{held.id}")
    assert sorted(each.amount for each in moved.movements) == [-25, 25]
    assert "2026" in page_line(session, world)
    # Points from a district that keeps them are never taken, nor any of one who earned there.
    assert balance_of(session, world.kept) == 8 and balance_of(session, world.both) == 10
    assert ledger.mismatches(session) == [] and ledger.unbalanced_transfers(session) == []


def page_line(session, world) -> str:
    """The newest line of the resident's points page."""
    return points_page(session, world.resident, older=None).lines[0].text


def test_points_earned_on_january_1st_stay(session, world):
    earn(session, world, world.resident, 5, now=JAN_1 - timedelta(minutes=20))
    assert expiry.expire(session, world.settings, JAN_1) == 2
    assert balance_of(session, world.resident) == 5
    earn(session, world, world.resident, 7, now=JAN_1 + timedelta(hours=1))
    assert expiry.expire(session, world.settings, JAN_1 + timedelta(hours=2)) == 0
    assert balance_of(session, world.resident) == 12


def test_points_spent_since_the_year_ended_come_out_of_what_expires(session, world):
    own = accounts.person_account(session, world.resident, now=NOW)
    issuer = accounts.issuer_account(session, world.tree.community, now=NOW)
    ledger.post(session, SYSTEM, unit=Unit.POINTS, kind="points.test_spent",
                legs=[(own, -20), (issuer, 20)], now=JAN_1 - timedelta(minutes=5))  # fmt: skip
    assert expiry.expire(session, world.settings, JAN_1) == 2
    held = accounts.held_account(session, world.resident.id)
    moved = ledger.transfer_about(session, expiry.EXPIRED, f"points.expiry:2026:{held.id}")
    assert sorted(each.amount for each in moved.movements) == [-5, 5]
    assert balance_of(session, world.resident) == 0


def test_points_undone_in_january_and_earned_again_are_the_new_years(session, world):
    # Found by the ledger's random-use test: last year's 25 undone before the worker ran, then
    # 5 earned, then the worker: the 5 are this year's and stay.
    [award] = session.scalars(
        select(PointsAward).where(PointsAward.user_id == world.resident.id)
    ).all()
    transfer = ledger.transfer_about(session, accounts.AWARDED, f"points.award:{award.id}")
    ledger.reverse(session, SYSTEM, transfer, reason="记错了", now=JAN_1 - timedelta(minutes=20))
    earn(session, world, world.resident, 5, now=JAN_1 - timedelta(minutes=10))
    assert expiry.expire(session, world.settings, JAN_1) == 1
    assert balance_of(session, world.resident) == 5
    assert expiry.expire(session, world.settings, JAN_1 + timedelta(hours=1)) == 0


def test_a_district_not_listed_never_loses_points(session, world):
    for settings in (kept_everywhere(), PointsSettings(expiring_districts=frozenset({"NONE"}))):
        assert expiry.warn(session, settings, DEC_1) == 0
        assert expiry.expire(session, settings, JAN_1) == 0
        assert expiry.lapses_on(session, settings, world.resident, NOW) is None
    assert warned(session) == [] and balance_of(session, world.resident) == 25


def test_the_worker_drains_in_batches_and_does_nothing_out_of_season(session, world, monkeypatch):
    monkeypatch.setattr(expiry, "BATCH", 1)
    assert expiry.warn_job(world.settings)(session, NOV_30) == 0
    assert expiry.warn_job(world.settings)(session, DEC_1) == 2 and len(warned(session)) == 2
    assert expiry.expire_job(world.settings)(session, DEC_31) == 0
    assert expiry.expire_job(world.settings)(session, JAN_1) == 2


def test_both_jobs_are_registered(app):
    jobs = app.extensions["portal.jobs"]
    assert jobs["points.expiry_warn"].every == jobs["points.expire"].every == timedelta(hours=1)


def test_a_holder_in_an_expiring_district_is_told_the_last_day_in_december(session, world):
    assert expiry.lapses_on(session, world.settings, world.resident, NOW) == date(2026, 12, 31)
    assert expiry.lapses_on(session, world.settings, world.resident, NOV_30) is None
    assert expiry.lapses_on(session, world.settings, world.both, NOW) is None


def test_the_points_page_says_when_they_lapse(app, session, sms, monkeypatch):
    with app.test_request_context():
        made = make_world(session)
        earn(session, made, made.resident, 25)
    session.commit()
    monkeypatch.setitem(app.config, "POINTS_EXPIRING_DISTRICTS", [made.tree.district.code])
    monkeypatch.setattr("portal.points.views.public.utcnow", lambda: NOW)
    browser = another(app, session)
    sign_in_by_sms(browser, sms, made.resident.phone)
    body = page(browser, "/points/")
    assert "Your points lapse at the end of 31 Dec 2026" in body
    monkeypatch.setattr("portal.points.views.public.utcnow", lambda: NOV_30)
    assert "lapse" not in page(browser, "/points/")


# --- two workers at once, on SQLite and PostgreSQL ---------------------------------------------


@pytest.fixture
def fresh(fresh_app):
    return fresh_app(migrate=True)


def test_two_workers_expiring_at_once_move_each_balance_once(fresh):
    with fresh.test_request_context(headers={"Accept-Language": "en"}):
        made = make_world(db.session)
        holders = [made.resident, *(resident(db.session, f"居民{i}") for i in range(4))]
        for points, holder in enumerate(holders, 1):
            earn(db.session, made, holder, points)
        db.session.commit()
        settings = PointsSettings(expiring_districts=frozenset({made.tree.district.code}))
        ids = [holder.id for holder in holders]

    results = together(fresh, 2, lambda _index: expiry.expire(db.session, settings, JAN_1))
    assert Counter(outcome for outcome, _ in results) == {"ok": 2}
    with fresh.app_context():
        moved = db.session.scalar(
            select(func.count())
            .select_from(LedgerTransfer)
            .where(LedgerTransfer.kind == expiry.EXPIRED)
        )
        assert moved == len(ids)
        assert all(ledger.balance(db.session, accounts.held_account(db.session, each)) == 0
                   for each in ids)  # fmt: skip
        assert ledger.mismatches(db.session) == [] and ledger.unbalanced_transfers(db.session) == []
