"""An appeal's closed loop on a phone: scan the door's QR code, report with a photo, confirm
by SMS code, the grid worker accepts and resolves, the resident is not satisfied, and the
appeal reopens one level up in the community's queue."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.appeals.models import Appeal, AppealState
from portal.db import db
from portal.demo import data
from portal.notifications.models import SmsMessage
from tests.browser.test_doors import scanned_url
from tests.browser.test_places import staff_sign_in

GRID_WORKER = "13800138003"  # 王强, grid worker of the first grid of 塘尾社区
SECRETARY = "13800138004"  # 陈丽华, secretary of 塘尾社区
TEXT = {
    "zh": {"report": "反映诉求", "item": "楼道里堆着垃圾", "phone": "手机号码", "password": "密码",
           "sign_in": "登录"},
    "en": {"report": "Report a problem", "item": "Rubbish left in the stairwell",
           "phone": "Mobile number", "password": "Password", "sign_in": "Sign in"},
}  # fmt: skip
RESIDENTS = {"zh": "13512340001", "en": "13512340002"}


def a_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 200)).save(out, "JPEG")
    return out.getvalue()


def go_on(page) -> None:
    page.locator("form .actions .button--large").click()


def appeal_of(live_server, tracking: str) -> Appeal:
    with live_server.app.app_context():
        appeal = db.session.scalars(select(Appeal).where(Appeal.tracking == tracking)).one()
        db.session.expunge(appeal)
        return appeal


def sms_kinds(live_server, number: str) -> list[str]:
    with live_server.app.app_context():
        return list(db.session.scalars(select(SmsMessage.kind).where(SmsMessage.phone == number)))


def report_from_the_door(live_server, phone, check, language, tmp_path, *, photo: bool) -> str:
    """Scan, report, confirm with the SMS code; returns the tracking number shown."""
    words, resident = TEXT[language], RESIDENTS[language]
    url, _building = scanned_url(live_server, tmp_path)
    phone.goto(url)
    phone.get_by_role("link", name=words["report"]).click()
    check(phone, "1-kind-of-problem")
    # Not one of the usual kinds: the resident looks for it group by group.
    phone.locator("#every-kind").click()
    go_on(phone)  # nothing chosen: the error is shown at the top and by the question
    expect(phone.locator(".error-summary")).to_be_visible()
    check(phone, "2-kind-missing")
    phone.locator(".choice-panel summary").first.click()
    phone.get_by_label(words["item"]).check()
    go_on(phone)

    phone.locator("#description").fill("三楼楼道里堆满了纸箱和旧家具，老人下楼过不去。")
    phone.locator("#location").fill("2单元3楼")
    if photo:
        phone.locator("#photos").set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}]
        )
    check(phone, "3-what-happened")
    go_on(phone)
    phone.locator("#phone").fill(resident)
    check(phone, "4-contact")
    go_on(phone)
    expect(phone.locator("main")).to_contain_text("三楼楼道里堆满了纸箱")
    check(phone, "5-check-answers")
    go_on(phone)

    expect(phone).to_have_url(re.compile(r"/confirm$"))
    check(phone, "6-enter-code")
    # The code is read once the page asking for it is there: its SMS is queued by then.
    phone.locator("#code").wait_for()
    phone.locator("#code").fill(live_server.sms_code(resident))
    phone.locator("form .button--large").click()
    tracking = phone.locator(".tracking-number").inner_text().strip()
    check(phone, "7-received")
    assert "appeal_received" in sms_kinds(live_server, resident)
    return tracking


def test_a_resident_reports_from_the_door_and_the_loop_closes_or_reopens(
    live_server, phone, check, language, tmp_path
):
    words, resident = TEXT[language], RESIDENTS[language]
    tracking = report_from_the_door(live_server, phone, check, language, tmp_path, photo=True)
    appeal = appeal_of(live_server, tracking)
    assert appeal.state == AppealState.RECEIVED and appeal.level == 1
    if language == "en":
        return  # the shorter path: the rest of the loop is walked in Chinese

    staff_sign_in(phone, live_server, GRID_WORKER, words)
    phone.goto(live_server.url + "/staff/appeals")
    check(phone, "8-grid-queue")
    phone.get_by_role("link", name=tracking).click()
    expect(phone.locator("img")).to_have_count(1)
    check(phone, "9-appeal-page")
    phone.locator("form[action$='/accept'] button").click()
    expect(phone.locator(".flash--success")).to_be_visible()
    assert "appeal_accepted" in sms_kinds(live_server, resident)
    phone.locator("#note").fill("已联系物业清理楼道，纸箱和旧家具已搬走。")
    phone.locator("form[action$='/resolve'] button").click()
    expect(phone.locator(".flash--success")).to_be_visible()
    check(phone, "10-resolved")
    phone.locator("form[action='/sign-out'] button").click()

    phone.goto(f"{live_server.url}/t/{tracking}")
    check(phone, "11-tracking-public")
    phone.locator("#digits").fill(resident[-4:])
    phone.locator("#digits").press("Enter")
    expect(phone.locator("main")).to_contain_text("已联系物业清理楼道")
    check(phone, "12-rate")
    phone.locator("input[value='dissatisfied']").check()
    phone.locator("form[action$='/review'] button").click()
    expect(phone.locator(".flash--success")).to_be_visible()
    check(phone, "13-reopened")

    appeal = appeal_of(live_server, tracking)
    assert appeal.state == AppealState.REOPENED and appeal.level == 2
    staff_sign_in(phone, live_server, SECRETARY, words)
    phone.goto(live_server.url + "/staff/appeals")
    expect(phone.get_by_role("link", name=tracking)).to_be_visible()
    check(phone, "14-community-queue")
    assert data.STAFF_PASSWORD
