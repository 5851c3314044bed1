"""Staff casework over HTTP: filters and the CSV, transfer, summons, merging, hiding, the
blocklist, resolution photos, filing for a resident, and every refusal."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from flask import current_app
from sqlalchemy import select

from portal.appeals import appeal_settings, services
from portal.appeals.models import (
    Appeal,
    AppealPhoto,
    AppealState,
    BlockedPhone,
    PhotoStage,
    Summons,
)
from portal.errors import NotFound
from portal.permissions import Role
from portal.units.models import Unit, UnitMember
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import (
    NEIGHBOUR,
    RESIDENT,
    code_sent,
    file_appeal,
    item,
    messages,
)
from tests.appeals.test_views import answers, photo_with_location, post, send

pytestmark = pytest.mark.usefixtures("app_context")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_queue_filters_and_downloads_what_it_shows_as_csv(client, session, tree, staff, now):
    rubbish = file_appeal(
        session, tree.building, now, item_id=item(session, "rubbish-in-corridor").id
    )
    other = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.secretary)
    page = text(client.get(f"/staff/appeals?item={rubbish.item_id}", headers=EN))
    assert "Filter" in page and rubbish.tracking not in page  # still in the grid's queue
    client.post(
        f"/staff/appeals/{rubbish.tracking}/relevel", data={"level": 2, "reason": "社区处理"}
    )
    client.post(f"/staff/appeals/{other.tracking}/relevel", data={"level": 2, "reason": "社区处理"})
    page = text(client.get(f"/staff/appeals?item={rubbish.item_id}&stage=waiting", headers=EN))
    assert rubbish.tracking in page and other.tracking not in page

    download = client.get(f"/staff/appeals.csv?item={rubbish.item_id}", headers=EN)
    assert (
        download.mimetype == "text/csv" and "attachment" in download.headers["Content-Disposition"]
    )
    body = download.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Number" and [row[0] for row in rows[1:]] == [rubbish.tracking]
    assert rows[1][-1] == "137****5678" and RESIDENT not in body.decode("utf-8-sig")


def test_a_grid_worker_transfers_and_a_wrong_choice_keeps_the_reason(
    client, session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    page = text(client.get(f"/staff/appeals/{appeal.tracking}", headers=EN))
    assert f'value="place:{tree.other_community.id}"' in page
    refused = client.post(
        f"/staff/appeals/{appeal.tracking}/transfer",
        data={"transfer-target": "place:999999", "transfer-reason": "不归我们管"},
        headers=EN,
    )
    assert refused.status_code == 400
    assert "Choose where to send the report." in text(refused) and "不归我们管" in text(refused)
    done = client.post(
        f"/staff/appeals/{appeal.tracking}/transfer",
        data={
            "transfer-target": f"place:{tree.other_community.id}",
            "transfer-reason": "属于乙社区",
        },
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Appeal, appeal.id).queue_place_id == tree.other_community.id
    # Still in the worker's area, so visible; no longer in their queue, so nothing to do.
    page = text(client.get(f"/staff/appeals/{appeal.tracking}", headers=EN))
    assert f"/staff/appeals/{appeal.tracking}/accept" not in page


def test_a_department_is_summoned_and_answers_on_the_appeal_page(
    client, session, tree, staff, department, now
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    client.post(f"/staff/appeals/{appeal.tracking}/accept")
    bad = client.post(
        f"/staff/appeals/{appeal.tracking}/summon",
        data={
            "summon-unit": department.unit.id,
            "summon-hours": "0",
            "summon-note": "外墙裂缝请查看",
        },
        headers=EN,
    )
    assert bad.status_code == 400 and "Give between 1 and 720 hours." in text(bad)
    assert "外墙裂缝请查看" in text(bad)
    client.post(
        f"/staff/appeals/{appeal.tracking}/summon",
        data={
            "summon-unit": department.unit.id,
            "summon-hours": "24",
            "summon-note": "外墙裂缝请查看",
        },
    )
    assert messages(session, "appeal_summoned")
    client.post("/sign-out")

    sign_in_staff(client, department.member)
    queue = text(client.get("/staff/appeals", headers=EN))
    assert "Summonses for your unit" in queue and appeal.tracking in queue
    page = text(client.get(f"/staff/appeals/{appeal.tracking}", headers=EN))
    assert "Send the answer" in page and f"/staff/appeals/{appeal.tracking}/accept" not in page
    summons_id = session.scalar(select(Summons.id).where(Summons.appeal_id == appeal.id))
    field = f"summons-{summons_id}-answer"
    empty = client.post(f"/staff/summonses/{summons_id}/answer", data={field: ""}, headers=EN)
    assert empty.status_code == 400 and "Say what your unit did or will do." in text(empty)
    assert (
        client.post(f"/staff/summonses/{summons_id}/answer", data={field: "明天到场"}).status_code
        == 302
    )
    assert messages(session, "appeal_answered")[0].phone == staff.grid_worker.phone
    client.post("/sign-out")
    sign_in_staff(client, staff.other_grid_worker)
    assert (
        client.post(f"/staff/summonses/{summons_id}/answer", data={field: "x"}).status_code == 403
    )


def test_a_suggested_duplicate_is_merged_with_one_tap(client, session, tree, staff, now):
    first = file_appeal(session, tree.building, now)
    second = file_appeal(session, tree.building, now, phone=NEIGHBOUR)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    page = text(client.get(f"/staff/appeals/{second.tracking}", headers=EN))
    assert f"Merge this report into {first.tracking}" in page
    client.post(f"/staff/appeals/{second.tracking}/merge", data={"into": first.tracking})
    session.expire_all()
    assert session.get(Appeal, second.id).state == AppealState.MERGED
    public = text(client.get(f"/t/{second.tracking}", headers=EN))
    assert f"/t/{first.tracking}" in public
    wrong = client.post(
        f"/staff/appeals/{first.tracking}/merge", data={"into": "A0000-ZZZZ"}, headers=EN
    )
    assert wrong.status_code == 400 and "still being handled" in text(wrong)


def test_spam_is_set_aside_with_its_number_blocked_and_put_back(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.secretary)
    client.post(
        f"/staff/appeals/{appeal.tracking}/hide",
        data={"hide-reason": "广告短信", "hide-block_phone": "y"},
    )
    assert session.scalar(select(BlockedPhone.phone)) == RESIDENT
    held = text(client.get("/staff/appeals?view=held", headers=EN))
    assert appeal.tracking in held
    blocklist = text(client.get("/staff/blocked-phones", headers=EN))
    assert "137****5678" in blocklist and RESIDENT not in blocklist
    client.post(f"/staff/appeals/{appeal.tracking}/restore")
    session.expire_all()
    assert session.get(Appeal, appeal.id).state == AppealState.RECEIVED

    refused = client.post(
        "/staff/blocked-phones", data={"phone": "12", "reason": "骚扰"}, headers=EN
    )
    assert refused.status_code == 400 and "11-digit" in text(refused)
    entry_id = session.scalar(select(BlockedPhone.id))
    client.post(f"/staff/blocked-phones/{entry_id}/remove")
    assert session.scalar(select(BlockedPhone.id)) is None


def test_a_grid_worker_may_not_keep_the_blocklist(client, session, tree, staff):
    sign_in_staff(client, staff.grid_worker)
    assert client.get("/staff/blocked-phones").status_code == 403
    assert (
        client.post("/staff/blocked-phones", data={"phone": RESIDENT, "reason": "x"}).status_code
        == 403
    )


def test_a_resolution_photo_is_cleaned_and_shown_to_the_resident(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    client.post(f"/staff/appeals/{appeal.tracking}/accept")
    refused = client.post(
        f"/staff/appeals/{appeal.tracking}/resolve",
        data={"note": "已清理", "photos": (io.BytesIO(b"not an image"), "after.jpg")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert refused.status_code == 400 and "已清理" in text(refused)
    done = client.post(
        f"/staff/appeals/{appeal.tracking}/resolve",
        data={"note": "已清理", "photos": (io.BytesIO(photo_with_location()), "after.jpg")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    [photo] = session.scalars(select(AppealPhoto).where(AppealPhoto.appeal_id == appeal.id))
    assert photo.stage == PhotoStage.RESOLUTION


def test_staff_file_for_a_resident_who_reads_out_the_code(client, session, tree, staff):
    sign_in_staff(client, staff.grid_worker)
    assert "No building in your area" in text(client.get("/staff/appeals/new?q=ZZZZZZ", headers=EN))
    outside = client.get(f"/staff/appeals/new?q={tree.other_building.public_code}", headers=EN)
    assert outside.status_code == 400
    # At another grid's door the worker is just a resident: no filing for anyone there.
    elsewhere = text(client.get(f"/b/{tree.other_building.public_code}/report", headers=EN))
    assert 'name="consent"' not in elsewhere
    start = client.get(f"/staff/appeals/new?q={tree.building.public_code.lower()}")
    assert start.headers["Location"].endswith(f"/b/{tree.building.public_code}/report")
    went = post(client, tree.building, "details", answers(session))
    contact = text(client.get(went.headers["Location"], headers=EN))
    assert "How can we reach the resident?" in contact and 'name="consent"' in contact
    assert staff.grid_worker.phone not in contact, "the worker's own number is not offered"
    sent = send(client, tree.building, answers(session))
    assert sent.status_code == 302 and "/confirm" in sent.headers["Location"]
    appeal = session.scalars(select(Appeal)).one()
    assert appeal.filed_by_id == staff.grid_worker.id and appeal.state == AppealState.UNCONFIRMED
    confirmed = client.post(sent.headers["Location"], data={"code": code_sent(session, RESIDENT)})
    assert confirmed.headers["Location"].endswith(f"/staff/appeals/{appeal.tracking}")


def test_staff_find_the_building_by_its_name_or_address_within_their_area(
    client, session, tree, staff
):
    sign_in_staff(client, staff.secretary)
    found = client.get("/staff/appeals/new?q=测试路1号", headers=EN)
    page = text(found)
    assert found.status_code == 200 and "甲楼1栋" in page and "乙楼1栋" not in page
    assert f'href="/b/{tree.building.public_code}/report"' in page
    missed = client.get("/staff/appeals/new?q=乙楼", headers=EN)
    page = text(missed)
    assert missed.status_code == 400 and "No building in your area matches “乙楼”" in page
    assert 'value="乙楼"' in page and 'aria-invalid="true"' in page


@pytest.mark.parametrize("role", [Role.LEGAL_ADVISER, Role.ARCHIVIST, Role.ADMIN])
def test_staff_who_handle_no_reports_are_not_offered_filing_for_a_resident(
    client, session, tree, role
):
    user = factories.user(session, role, tree.district)
    session.commit()
    sign_in_staff(client, user)
    assert "/staff/appeals/new" not in text(client.get("/staff/appeals", headers=EN))
    refused = client.get(f"/staff/appeals/new?q={tree.building.public_code}", headers=EN)
    assert refused.status_code == 403
    assert "Your role does not handle reports." in text(refused)


def test_an_administrator_s_queue_is_their_district_s_with_the_same_filters(
    client, session, tree, staff, now
):
    here = file_appeal(session, tree.building, now)
    there = file_appeal(session, tree.other_building, now)
    admin = factories.user(session, Role.ADMIN, tree.district)
    session.commit()
    sign_in_staff(client, admin)
    page = text(client.get("/staff/appeals", headers=EN))
    assert "Every open report in 测试区 (en), wherever it is being handled." in page
    assert here.tracking in page and there.tracking in page and "2 reports" in page
    assert '<input type="hidden" name="view" value="area">' in page
    page = text(client.get(f"/staff/appeals?view=area&grid={tree.other_grid.id}", headers=EN))
    assert there.tracking in page and here.tracking not in page
    download = client.get(f"/staff/appeals.csv?view=area&grid={tree.other_grid.id}", headers=EN)
    assert [row[0] for row in csv.reader(io.StringIO(download.get_data(as_text=True)))][1:] == [
        there.tracking
    ]


def test_a_handler_s_queue_says_whose_it_is(client, session, tree, staff, department):
    sign_in_staff(client, department.member)
    page = text(client.get("/staff/appeals", headers=EN))
    assert "The queue of 第二街道 (en) · District Housing Bureau." in page
    assert "Whole area" in page, "an officer may read their street's reports too"


def test_staff_file_at_once_when_the_resident_agrees_in_person(client, session, tree, staff):
    sign_in_staff(client, staff.grid_worker)
    sent = send(client, tree.building, answers(session, consent="y"))
    appeal = session.scalars(select(Appeal)).one()
    assert sent.headers["Location"].endswith(f"/staff/appeals/{appeal.tracking}")
    assert appeal.state == AppealState.RECEIVED and messages(session, "appeal_code") == []


def test_every_field_on_the_appeal_page_has_its_own_id(
    client, session, tree, staff, department, now
):
    police = Unit(code="police", place=tree.district, name_zh="派出所", name_en="Police", phone="")
    session.add_all([police, UnitMember(unit=police, user=department.member)])
    session.flush()
    appeal = file_appeal(session, tree.building, now)
    file_appeal(session, tree.building, now, phone=NEIGHBOUR)
    services.accept(session, staff.grid_worker, appeal, now=now)
    for unit in (department.unit, police):
        services.summon(session, staff.grid_worker, appeal, unit.id, 24, "请处理", now=now)
    session.commit()
    for who in (staff.grid_worker, department.member):
        sign_in_staff(client, who)
        page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
        ids = Counter(re.findall(r'\sid="([^"]+)"', page))
        assert {name for name, count in ids.items() if count > 1} == set()
        client.post("/sign-out")


@pytest.mark.parametrize(
    ("language", "name"), [("zh-CN", "屏蔽号码名单"), ("en", "Blocked numbers")]
)
def test_the_blocklist_is_called_what_it_is(client, staff, language, name):
    headers = {"Accept-Language": language}
    client.post(
        "/staff/sign-in",
        data={"phone": staff.secretary.phone, "password": factories.PASSWORD},
        headers=headers,
    )
    page = text(client.get("/staff/blocked-phones", headers=headers))
    assert re.search(r"<h1>(.*?)</h1>", page).group(1) == name


def test_send_to_another_level_offers_only_the_other_levels(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)

    def offered(page: str) -> list[str]:
        select = re.search(r'<select[^>]*name="level".*?</select>', page, re.S).group(0)
        return re.findall(r'<option[^>]*value="(\d)"', select)

    assert offered(text(client.get(f"/staff/appeals/{appeal.tracking}", headers=EN))) == ["2", "3"]
    # A crafted post for its own level is still refused, with the reason kept.
    refused = client.post(
        f"/staff/appeals/{appeal.tracking}/relevel",
        data={"level": 1, "reason": "社区处理更合适"},
        headers=EN,
    )
    assert refused.status_code == 400 and "already at this level" in text(refused)
    assert "社区处理更合适" in text(refused) and offered(text(refused)) == ["2", "3"]


def test_the_queue_filters_show_kinds_in_groups_and_grids_under_communities(
    client, session, tree, staff
):
    sign_in_staff(client, staff.district_officer)
    page = text(client.get("/staff/appeals?view=area", headers=EN))
    grid_filter = page[page.index('id="grid"') :]
    grid_filter = grid_filter[: grid_filter.index("</select>")]
    assert f'<optgroup label="{tree.community.name_en}">' in grid_filter
    kind_filter = page[page.index('id="item"') :]
    assert kind_filter.index("<optgroup") < kind_filter.index("</select>")


def test_a_deputy_secretary_does_not_work_the_community_s_queue(client, session, tree, staff, now):
    """A deputy secretary receives residents at meetings, and nothing more: the reports
    waiting in their community's queue are neither listed, opened nor taken by them."""
    waiting = file_appeal(session, tree.building, now)
    services.relevel(
        session, staff.grid_worker, waiting, 2, "社区处理", now=now,
        settings=appeal_settings(current_app),
    )  # fmt: skip
    deputy = factories.user(session, Role.DEPUTY_SECRETARY, tree.community, name="副书记")
    session.commit()
    # The community's queue holds it: its secretary may take it.
    assert services.get_for_staff(session, staff.secretary, waiting.tracking) == waiting
    with pytest.raises(NotFound):
        services.get_for_staff(session, deputy, waiting.tracking)
    sign_in_staff(client, deputy)
    desk = client.get("/staff", headers=EN)
    assert desk.status_code == 200 and "Deputy secretary" in text(desk)
    assert "Reports to handle" not in text(desk) and "Reports in your area" not in text(desk)
    queue = client.get("/staff/appeals", headers=EN)
    assert queue.status_code == 200 and waiting.tracking not in text(queue)
    assert client.get(f"/staff/appeals/{waiting.tracking}", headers=EN).status_code == 404
    assert client.post(f"/staff/appeals/{waiting.tracking}/accept").status_code == 404
    assert waiting.state == AppealState.RECEIVED and waiting.handler_id is None
    assert client.get("/staff/blocked-phones").status_code == 403
