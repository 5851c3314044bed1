"""The audit log: what an entry records, and who may read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit import services as audit
from portal.audit.models import AuditEvent, Outcome
from portal.errors import Forbidden
from portal.permissions import Role
from tests import factories


def test_an_entry_records_who_what_on_what_when_where_and_the_result(session, now):
    tree = factories.tree(session)
    admin = factories.user(session, Role.ADMIN, None)
    audit.set_origin("203.0.113.7")
    try:
        event = audit.record(
            session, "places.update_place", actor=admin, target=tree.grid, now=now,
            outcome=Outcome.SUCCESS, details={"code": tree.grid.code},
        )  # fmt: skip
    finally:
        audit.set_origin(None)
    session.expire_all()
    stored = session.get(AuditEvent, event.id)
    assert (stored.actor_id, stored.action, stored.target_type, stored.target_id) == (
        admin.id, "places.update_place", "places", str(tree.grid.id),
    )  # fmt: skip
    assert (stored.origin, stored.outcome, stored.details) == (
        "203.0.113.7",
        Outcome.SUCCESS,
        {"code": tree.grid.code},
    )
    assert stored.occurred_at == now and stored.occurred_at.tzinfo is not None


def test_an_entry_may_name_its_target_by_type_and_id(session, now):
    event = audit.record(
        session,
        "access.denied",
        actor=None,
        target=("appeals", 42),
        now=now,
        outcome=Outcome.DENIED,
    )
    assert (event.target_type, event.target_id, event.actor_id, event.origin) == (
        "appeals",
        "42",
        None,
        None,
    )


def test_only_portal_administrators_read_the_log(session, now):
    tree = factories.tree(session)
    admin = factories.user(session, Role.ADMIN, None)
    audit.record(session, "accounts.sign_in", actor=admin, now=now)
    assert session.scalars(audit.events_query(admin, action="accounts.sign_in")).all()
    for reader in (
        factories.user(session, Role.ADMIN, tree.district),
        factories.user(session, Role.SECRETARY, tree.community),
    ):
        with pytest.raises(Forbidden):
            audit.events_query(reader)


def test_the_log_is_newest_first_and_filters_by_person(session, now):
    from datetime import timedelta

    admin = factories.user(session, Role.ADMIN, None)
    worker = factories.user(session, Role.GRID_WORKER)
    audit.record(session, "accounts.sign_in", actor=worker, now=now)
    audit.record(session, "accounts.sign_out", actor=worker, now=now + timedelta(minutes=5))
    audit.record(session, "accounts.sign_in", actor=admin, now=now + timedelta(minutes=1))
    mine = session.scalars(audit.events_query(admin, actor_id=worker.id)).all()
    assert [event.action for event in mine] == ["accounts.sign_out", "accounts.sign_in"]


def test_no_full_phone_number_reaches_the_log(session, now):
    """Failed sign-ins name the number tried, but only masked."""
    from portal.accounts import services
    from portal.errors import Invalid

    staff = factories.user(session, Role.GRID_WORKER, phone="13612345678")
    with pytest.raises(Invalid):
        services.sign_in_with_password(session, staff.phone, "wrong password", now=now)
    texts = [str(event.details) for event in session.scalars(select(AuditEvent))]
    assert texts and not any("13612345678" in text for text in texts)
