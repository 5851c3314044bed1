"""A coordinator seats a volunteer who came without signing up: by their mobile number, with a
seat added when all are taken, never twice, and only in their own community."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.volunteering import activities
from portal.volunteering.models import SignUp, SignUpState, VolunteerState
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def coordinator(session, tree):
    return factories.user(session, Role.COORDINATOR, tree.community, name="协调员")


def full_activity(session, tree):
    made = factories.activity(
        session, tree.community, starts_at=utcnow() - timedelta(minutes=20), seats=1
    )
    first = factories.volunteer(session, tree.community, name="先到")
    session.add(
        SignUp(activity=made, volunteer=first, state=SignUpState.SEATED, seated_at=utcnow())
    )
    made.seats_taken = 1
    session.flush()
    return made


def test_a_walk_in_gets_a_seat_added_and_it_is_audited(session, tree, coordinator):
    made = full_activity(session, tree)
    walk_in = factories.volunteer(session, tree.community, name="路过")
    seated = activities.seat_by_coordinator(
        session, coordinator, made, phone=walk_in.user.phone, now=utcnow()
    )
    session.refresh(made)
    assert seated.state is SignUpState.SEATED and (made.seats, made.seats_taken) == (2, 2)
    assert (
        session.query(AuditEvent).filter_by(action="volunteering.seat_by_coordinator").count() == 1
    )
    with pytest.raises(Invalid, match="seat already"):
        activities.seat_by_coordinator(
            session, coordinator, made, phone=walk_in.user.phone, now=utcnow()
        )


def test_a_waiting_volunteer_takes_a_free_seat_without_adding_one(session, tree, coordinator):
    made = factories.activity(
        session, tree.community, starts_at=utcnow() + timedelta(days=1), seats=2
    )
    waiting = factories.volunteer(session, tree.community)
    session.add(SignUp(activity=made, volunteer=waiting, state=SignUpState.WAITING))
    session.flush()
    activities.seat_by_coordinator(
        session, coordinator, made, phone=waiting.user.phone, now=utcnow()
    )
    session.refresh(made)
    assert (made.seats, made.seats_taken) == (2, 1)


def test_only_an_approved_volunteer_and_only_by_a_coordinator_here(session, tree, coordinator):
    made = full_activity(session, tree)
    applicant = factories.volunteer(session, tree.community, state=VolunteerState.APPLIED)
    with pytest.raises(Invalid, match="No approved volunteer"):
        activities.seat_by_coordinator(
            session, coordinator, made, phone=applicant.user.phone, now=utcnow()
        )
    with pytest.raises(Invalid, match="No approved volunteer"):
        activities.seat_by_coordinator(
            session, coordinator, made, phone="13912345678", now=utcnow()
        )
    elsewhere = factories.user(session, Role.COORDINATOR, tree.other_community)
    walk_in = factories.volunteer(session, tree.community)
    with pytest.raises(Forbidden):
        activities.seat_by_coordinator(
            session, elsewhere, made, phone=walk_in.user.phone, now=utcnow()
        )
    session.refresh(made)
    assert made.seats_taken == 1


def test_the_roster_form_keeps_a_wrong_number_and_says_why(app, session, tree, coordinator):
    made = full_activity(session, tree)
    walk_in = factories.volunteer(session, tree.community, name="路过")
    session.commit()
    staff = app.test_client()
    assert sign_in_staff(staff, coordinator).status_code == 302
    url = f"/volunteering/desk/activities/{made.id}/seat"
    refused = staff.post(url, data={"phone": "1391234"}, headers=EN)
    assert refused.status_code == 400 and 'value="1391234"' in refused.text
    done = staff.post(url, data={"phone": walk_in.user.phone}, headers=EN)
    assert done.status_code == 302
    roster = staff.get(f"/volunteering/desk/activities/{made.id}", headers=EN).text
    assert "路过" in roster and f'href="tel:{walk_in.user.phone}"' in roster
