"""Staff opening reports by number: one outside their area is answered as one that does not
exist, and each account opens a limited number a minute (issue 18, item 8)."""

from __future__ import annotations

import pytest

from portal.appeals import services
from portal.config import Config
from portal.errors import Invalid, NotFound
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import file_appeal

UNKNOWN = "A2611-ZZZZ"


def _main(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


@pytest.mark.usefixtures("app_context")
def test_another_areas_report_is_not_found_like_one_that_does_not_exist(session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    with pytest.raises(NotFound) as unknown:
        services.get_for_staff(session, staff.other_grid_worker, UNKNOWN)
    with pytest.raises(NotFound) as elsewhere:
        services.get_for_staff(session, staff.other_grid_worker, appeal.tracking)
    assert unknown.value.message == elsewhere.value.message
    assert unknown.value.details == elsewhere.value.details == {}
    assert services.get_for_staff(session, staff.grid_worker, appeal.tracking) == appeal


def test_over_http_both_get_the_same_404(client, session, tree, staff, now, app_context):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.other_grid_worker)
    for path in ("", "/photos/x.jpg"):
        unknown = client.get(f"/staff/appeals/{UNKNOWN}{path}", headers=EN)
        elsewhere = client.get(f"/staff/appeals/{appeal.tracking}{path}", headers=EN)
        assert unknown.status_code == elsewhere.status_code == 404
        assert _main(unknown) == _main(elsewhere)
    accept = client.post(f"/staff/appeals/{appeal.tracking}/accept", headers=EN)
    assert accept.status_code == 404


def test_each_account_opens_a_limited_number_of_reports_a_minute(
    app, monkeypatch, client, session, tree, staff, now, app_context
):
    assert Config.STAFF_LOOKUP_LIMIT_PER_ACCOUNT == "120 per minute"
    monkeypatch.setitem(app.config, "STAFF_LOOKUP_LIMIT_PER_ACCOUNT", "3 per minute")
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.other_grid_worker)
    for number in (UNKNOWN, appeal.tracking, UNKNOWN):
        assert client.get(f"/staff/appeals/{number}").status_code == 404
    refused = client.get(f"/staff/appeals/{UNKNOWN}")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    # Per account, not per address: a colleague at the same desk goes on working.
    sign_in_staff(client, staff.grid_worker)
    assert client.get(f"/staff/appeals/{appeal.tracking}").status_code == 200


@pytest.mark.usefixtures("app_context")
def test_merging_into_another_areas_report_is_refused_like_into_none(
    session, tree, staff, now, settings
):
    appeal = file_appeal(session, tree.building, now)
    elsewhere = file_appeal(session, tree.other_building, now)
    refusals = set()
    for into in (UNKNOWN, elsewhere.tracking):
        with pytest.raises(Invalid) as refused:
            services.merge(session, staff.grid_worker, appeal, into, now=now, settings=settings)
        refusals.add(refused.value.message)
    assert len(refusals) == 1
