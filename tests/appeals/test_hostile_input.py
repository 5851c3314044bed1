"""Hostile and odd input on the report, the tracking page, the queue and staff actions:
control characters refused on their field, ids and numbers beyond any row, full-width
digits read as digits. Never a 500, and nothing with a NUL stored, on either database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.appeals.models import Appeal, AppealEvent
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff
from tests.appeals.conftest import RESIDENT, file_appeal
from tests.appeals.test_views import answers, post, screen, send

pytestmark = pytest.mark.usefixtures("app_context")

HUGE = "99999999999999999999999"
WIDE_PHONE = "１３８００１３８０００"
REFUSED = "invisible control characters"


def text(response) -> str:
    return response.get_data(as_text=True)


def wide(digits: str) -> str:
    return "".join(chr(0xFF10 + int(digit)) for digit in digits)


@pytest.mark.parametrize(
    ("step", "field", "value"),
    [
        ("details", "description", "楼道\x00堆满纸箱"),
        ("details", "location", "2单元\x013楼"),
        ("details", "location", "2单元\n3楼"),
        ("contact", "name", "张\x00阿姨"),
        ("contact", "phone", "137\x0012345678"),
    ],
)
def test_a_control_character_in_the_report_is_refused_on_its_field(
    client, session, tree, step, field, value
):
    data = answers(session) | {field: value}
    if step == "contact":
        assert post(client, tree.building, "details", data).status_code == 302
    body = screen(client, post(client, tree.building, step, data))
    assert REFUSED in body and value in body, "refused, and what was typed stays"
    sent = post(client, tree.building, "check", {})
    assert sent.status_code == 302 and "/confirm" not in sent.headers["Location"]
    assert session.scalars(select(Appeal)).first() is None


def test_line_breaks_and_tabs_are_text_in_the_description(client, session, tree):
    sent = send(client, tree.building, answers(session, description="楼道堆满纸箱\r\n\t挡住了路"))
    assert sent.headers["Location"].endswith("/confirm")
    appeal = session.scalars(select(Appeal)).one()
    assert "\t挡住了路" in appeal.description


@pytest.mark.parametrize("chosen", [WIDE_PHONE, "+8613800138000", HUGE, "-1", "0", "x"])
def test_a_kind_of_problem_no_row_can_have_is_asked_again(client, session, tree, chosen):
    url = f"/b/{tree.building.public_code}/report"
    first = client.get(f"{url}?step=item&item={chosen}", headers=EN)
    assert first.status_code == 200 and "What happened?" not in text(first)
    assert "Choose one of the answers given." in text(first)
    sent = send(client, tree.building, answers(session, item=chosen))
    assert sent.status_code == 302 and "/confirm" not in sent.headers["Location"]
    assert session.scalars(select(Appeal)).first() is None


def test_the_last_four_digits_in_full_width_digits_open_the_tracking_page(
    client, session, tree, now
):
    appeal = file_appeal(session, tree.building, now, description="我家门口漏水严重")
    session.commit()
    right = client.post(f"/t/{appeal.tracking}", data={"digits": wide(RESIDENT[-4:])})
    assert right.status_code == 302
    assert "我家门口漏水严重" in text(client.get(f"/t/{appeal.tracking}"))


def test_a_tracking_number_typed_in_full_width_is_found(client, session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    wide_tracking = "".join(chr(ord(ch) + 0xFEE0) for ch in appeal.tracking)
    assert client.get(f"/t/{wide_tracking}", headers=EN).status_code == 200


@pytest.mark.parametrize("typed", ["é.ab", "１２", "\x005678", "12345"])
def test_last_four_digits_that_are_not_four_digits_are_asked_again(
    client, session, tree, now, typed
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    response = client.post(f"/t/{appeal.tracking}", data={"digits": typed}, headers=EN)
    assert response.status_code == 200
    assert "Enter the last 4 digits" in text(response) or REFUSED in text(response)


QUEUE_FILTERS = [
    f"item={HUGE}", f"grid={HUGE}", f"item={WIDE_PHONE}", "item=+8613800138000", "grid=²",
    f"level={HUGE}", "level=－５.４e－１８２", "page=²", f"page={HUGE}", "item=%00",
    f"stage={'字' * 5000}",
]  # fmt: skip


@pytest.mark.parametrize("url", ["/staff/appeals", "/staff/appeals.csv"])
def test_the_queue_and_its_csv_take_any_filter_they_are_given(client, staff, url):
    sign_in_staff(client, staff.secretary)
    for query in QUEUE_FILTERS:
        assert client.get(f"{url}?{query}", headers=EN).status_code in (200, 400), query


def test_an_answer_to_a_summons_no_row_can_have_is_not_found(client, staff):
    sign_in_staff(client, staff.secretary)
    for summons in (HUGE, str(2**31)):
        response = client.post(f"/staff/summonses/{summons}/answer", data={}, headers=EN)
        assert response.status_code == 404


def test_a_resident_s_list_takes_a_page_that_is_not_a_number(client, sms, tree):
    sign_in_by_sms(client, sms, "13611112222")
    for page in ("²", HUGE, "１"):
        assert client.get(f"/my/appeals?page={page}").status_code == 200


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("relevel", {"level": "2", "reason": "社区\x00处理"}),
        ("relevel", {"level": HUGE, "reason": "社区处理"}),
        ("hide", {"reason": "广告\x00"}),
        ("merge", {"into": "A2611\x00"}),
        ("summon", {"summon-unit": HUGE, "summon-hours": HUGE, "summon-note": "请查看"}),
        ("summon", {"summon-unit": "1", "summon-hours": "２４", "summon-note": "请\x00查看"}),
    ],
)
def test_staff_actions_refuse_control_characters_and_numbers_beyond_any_row(
    client, session, tree, staff, now, action, data
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.secretary)
    response = client.post(f"/staff/appeals/{appeal.tracking}/{action}", data=data, headers=EN)
    assert response.status_code in (200, 302, 400)
    stored = session.scalars(select(AppealEvent.note).where(AppealEvent.appeal_id == appeal.id))
    assert not any("\x00" in (note or "") for note in stored)


def test_a_blocklist_reason_with_a_control_character_is_refused(client, staff):
    sign_in_staff(client, staff.secretary)
    response = client.post(
        "/staff/blocked-phones", data={"phone": RESIDENT, "reason": "骚扰\x00"}, headers=EN
    )
    assert response.status_code < 500 and REFUSED in text(response)
