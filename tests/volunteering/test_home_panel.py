"""The volunteer's own page lists what they signed up for, and leads to the rest."""

from __future__ import annotations

from datetime import timedelta

from portal.db import utcnow
from portal.volunteering.models import SignUp, SignUpState
from tests import factories
from tests.accounts.test_views import sign_in_by_sms


def test_an_approved_volunteer_sees_their_next_activities(session, client, sms):
    tree = factories.tree(session)
    volunteer = factories.volunteer(session, tree.community, name="王芳")
    coming = factories.activity(
        session, tree.community, starts_at=utcnow() + timedelta(days=2), title="重阳节陪伴"
    )
    factories.activity(
        session, tree.community, starts_at=utcnow() + timedelta(days=3), title="没报名的"
    )
    session.add(SignUp(activity=coming, volunteer=volunteer, state=SignUpState.SEATED))
    session.flush()
    sign_in_by_sms(client, sms, volunteer.user.phone)
    page = client.get("/volunteering/").text
    assert "重阳节陪伴" in page and "没报名的" not in page
    assert "/volunteering/certificate" in page and "/volunteering/activities" in page


def test_someone_signed_out_is_shown_the_activities_and_how_to_apply(client):
    page = client.get("/volunteering/").text
    assert "/volunteering/activities" in page and "/sign-in" in page


def test_an_older_resident_scanning_the_door_finds_volunteering_and_help(session, client):
    tree = factories.tree(session)
    session.commit()
    door = client.get(f"/b/{tree.building.public_code}", headers={"Accept-Language": "zh-CN"})
    assert door.status_code == 200
    assert 'href="/volunteering/"' in door.text and 'href="/volunteering/help/ask"' in door.text
    assert "志愿服务" in door.text and "为老服务求助" in door.text
    # The help link leads a signed-out resident to sign in, and back to the form.
    asked = client.get("/volunteering/help/ask")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/sign-in")
