"""Filing a report under the kind of problem it is: a resident's "something else" put where
it belongs by the staff whose queue holds it, in the timeline and the audit log."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.appeals import services
from portal.appeals.labels import event_label
from portal.appeals.models import AppealEvent, AppealState, EventKind
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.errors import Forbidden, Invalid
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import file_appeal, item

pytestmark = pytest.mark.usefixtures("app_context")


def something_else(session, tree, now):
    """A report filed under "something else", in the community's queue (level 2)."""
    return file_appeal(
        session, tree.building, now, item_id=item(session, "other").id,
        description="小区门口的井盖松了，一踩就响",
    )  # fmt: skip


def test_staff_file_something_else_under_the_kind_it_is(session, tree, staff, now):
    appeal = something_else(session, tree, now)
    assert appeal.level == 2
    promised = appeal.resolve_due_at
    manhole = item(session, "manhole-cover-loose")
    services.reclassify(session, staff.secretary, appeal, manhole.id, now=now)
    assert appeal.item == manhole
    assert appeal.queue_place == tree.community, "it stays where it is"
    assert appeal.resolve_due_at == promised, "the deadline the resident was told stands"
    event = session.scalars(
        select(AppealEvent).where(AppealEvent.kind == EventKind.RECLASSIFIED)
    ).one()
    assert event.details["from"] == item(session, "other").id and event.details["to"] == manhole.id
    assert (
        event_label(event)
        == f"Kind of problem changed to “{manhole.name_en}” (was “Something else”)"
    )
    with force_locale("zh_Hans_CN"):
        assert event_label(event) == f"问题类型改为“{manhole.name_zh}”（原为“其他问题”）"
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "appeals.reclassify")
    ).one()
    assert audit.actor_id == staff.secretary.id and audit.details["to"] == manhole.id


def test_only_a_kind_in_use_and_another_one_is_taken(session, tree, staff, now):
    appeal = something_else(session, tree, now)
    retired = item(session, "manhole-cover-loose")
    retired.retired_at = now
    for wrong in (0, 10**6, retired.id):
        with pytest.raises(Invalid, match="Choose a kind of problem"):
            services.reclassify(session, staff.secretary, appeal, wrong, now=now)
    with pytest.raises(Invalid, match="already filed under"):
        services.reclassify(session, staff.secretary, appeal, appeal.item_id, now=now)


def test_staff_of_another_queue_or_a_closed_report_cannot_reclassify(session, tree, staff, now):
    appeal = something_else(session, tree, now)
    light = item(session, "stairwell-light-out").id
    with pytest.raises(Forbidden):
        services.reclassify(session, staff.other_secretary, appeal, light, now=now)
    services.hide(session, staff.secretary, appeal, "广告", now=now)
    assert appeal.state == AppealState.HIDDEN
    with pytest.raises(Invalid, match="cannot be done now"):
        services.reclassify(session, staff.secretary, appeal, light, now=now)


def test_the_appeal_page_offers_the_kinds_and_says_what_changed(client, session, tree, staff):
    appeal = something_else(session, tree, utcnow())
    session.commit()
    sign_in_staff(client, staff.secretary)
    page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
    # Filed under "something else": the form is open, the kinds in their groups.
    assert '<details class="more-actions" id="kind" open>' in page and "<optgroup" in page
    url = f"/staff/appeals/{appeal.tracking}/reclassify"
    refused = client.post(url, data={"kind-item": "99999999"}, headers=EN)
    assert refused.status_code == 400
    assert "Choose a kind of problem from the list." in refused.get_data(as_text=True)
    manhole = item(session, "manhole-cover-loose")
    done = client.post(url, data={"kind-item": str(manhole.id)}, headers=EN)
    assert done.status_code == 302
    page = client.get(done.headers["Location"], headers=EN).get_data(as_text=True)
    assert f"Kind of problem changed to “{manhole.name_en}” (was “Something else”)" in page

    sign_in_staff(client, staff.other_secretary)
    light = item(session, "stairwell-light-out").id
    # Another area's report is answered as one that does not exist (test_staff_lookups.py).
    assert client.post(url, data={"kind-item": str(light)}).status_code == 404
