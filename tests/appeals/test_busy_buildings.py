"""A building past its hour's confirmed reports: the next are held for staff, never refused,
and reports that never get their code do not count (issue 18, item 5)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.appeals import SETTINGS, services
from portal.appeals.models import Appeal, AppealState
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import app as fresh  # noqa: F401
from tests.accounts.test_concurrency import outcomes, together
from tests.accounts.test_views import EN, sign_in_by_sms
from tests.appeals.conftest import code_sent, current_settings, file_appeal, file_for
from tests.appeals.test_views import answers, send


def _limit(app, monkeypatch, reports: int) -> None:
    settings = dataclasses.replace(app.extensions[SETTINGS], building_reports_per_hour=reports)
    monkeypatch.setitem(app.extensions, SETTINGS, settings)


def _phone(n: int) -> str:
    return f"136{n:08d}"


def _held_for(session, appeal: Appeal) -> str | None:
    return services.timeline(session, appeal)[-1].details.get("reason")


@pytest.mark.usefixtures("app_context")
def test_only_confirmed_reports_count_towards_a_buildings_hour(
    app, monkeypatch, session, tree, staff, now
):
    _limit(app, monkeypatch, 2)
    for n in range(5):  # Never confirmed: they cost nothing but SMS to numbers one chooses.
        file_appeal(session, tree.building, now, phone=_phone(n), confirm=False)
    first = file_appeal(session, tree.building, now, phone=_phone(10))
    second = file_appeal(session, tree.building, now + timedelta(minutes=1), phone=_phone(11))
    assert first.state == second.state == AppealState.RECEIVED
    # Staff filing for a resident are signed in and audited: never held, never counted.
    assert file_for(session, tree, staff.grid_worker, now, consent=True).state == (
        AppealState.RECEIVED
    )

    third = file_appeal(session, tree.building, now + timedelta(minutes=2), phone=_phone(12))
    assert third.state == AppealState.HIDDEN and _held_for(session, third) == "busy_building"
    # Another building of the grid is not affected.
    elsewhere = file_appeal(session, tree.other_building, now, phone=_phone(13))
    assert elsewhere.state == AppealState.RECEIVED
    # An hour after the first two, the building's reports go through again.
    later = file_appeal(session, tree.building, now + timedelta(minutes=61), phone=_phone(14))
    assert later.state == AppealState.RECEIVED


@pytest.mark.usefixtures("app_context")
def test_a_report_confirmed_late_is_counted_when_it_is_confirmed(
    app, monkeypatch, session, tree, now
):
    _limit(app, monkeypatch, 1)
    early = file_appeal(session, tree.building, now, phone=_phone(1), confirm=False)
    file_appeal(session, tree.building, now + timedelta(minutes=1), phone=_phone(2))
    services.confirm(
        session, early, code_sent(session, _phone(1)), now=now + timedelta(minutes=2),
        settings=current_settings(),
    )  # fmt: skip
    assert early.state == AppealState.HIDDEN and _held_for(session, early) == "busy_building"


def test_sixty_unconfirmed_reports_do_not_hold_a_real_one(client, session, tree, sms):
    """The attack as it was made: sixty reports for one building, never confirmed, from a few
    addresses; then a resident signed in with their number sends a real one."""
    for n in range(60):
        address = {"REMOTE_ADDR": f"10.9.{n % 4}.{n}"}
        sent = send(client, tree.building, answers(session, phone=_phone(n)), environ_base=address)
        assert sent.status_code == 302, "sent, waiting for a code that never comes"
    resident = "13912345678"
    sign_in_by_sms(client, sms, resident)
    address = {"REMOTE_ADDR": "10.9.9.9"}
    sent = send(client, tree.building, answers(session, phone=resident), environ_base=address)
    assert sent.status_code == 302
    real = session.scalars(select(Appeal).where(Appeal.phone == resident)).one()
    assert real.state == AppealState.RECEIVED
    page = client.get(f"/t/{real.tracking}/received", headers=EN).get_data(as_text=True)
    assert "We have also sent it by SMS" in page


def test_past_the_buildings_hour_a_confirmed_report_is_held_not_refused(
    app, monkeypatch, client, session, tree, staff
):
    _limit(app, monkeypatch, 1)
    for phone in ("137 1234 5678", "136 9876 5432"):
        sent = send(client, tree.building, answers(session, phone=phone))
        assert sent.status_code == 302, "never refused: a neighbour's report must get through"
        digits = phone.replace(" ", "")
        client.post(sent.headers["Location"], data={"code": code_sent(session, digits)})
    first, second = session.scalars(select(Appeal).order_by(Appeal.id)).all()
    assert first.state == AppealState.RECEIVED and second.state == AppealState.HIDDEN
    page = client.get(f"/t/{second.tracking}/received", headers=EN).get_data(as_text=True)
    assert "Staff will look at your report" in page and "We have also sent it by SMS" not in page


def test_two_reports_confirmed_at_once_at_the_limit_are_counted_one_after_the_other(fresh):  # noqa: F811
    limited = dataclasses.replace(fresh.extensions[SETTINGS], building_reports_per_hour=1)
    fresh.extensions[SETTINGS] = limited
    phones = [_phone(1), _phone(2)]
    with fresh.test_request_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        factories.user(db.session, Role.GRID_WORKER, tree.grid, name="王网格")
        now = utcnow()
        ids = [
            file_appeal(db.session, tree.building, now, phone=phone, confirm=False).id
            for phone in phones
        ]
        codes = [code_sent(db.session, phone) for phone in phones]
        db.session.commit()

    def confirm(index: int) -> None:
        appeal = db.session.get(Appeal, ids[index])
        services.confirm(
            db.session, appeal, codes[index], now=utcnow(), settings=current_settings()
        )

    results = together(fresh, 2, confirm)
    assert outcomes(results)["ok"] == 2
    with fresh.app_context():
        states = sorted(db.session.scalars(select(Appeal.state).where(Appeal.id.in_(ids))))
    assert states == [AppealState.HIDDEN, AppealState.RECEIVED]
