"""The time bank from end to end on two phones, in Chinese: a resident applies to volunteer
and the community's coordinator approves and publishes an activity; the volunteer signs up,
checks in and out by scanning the code on the coordinator's phone (read from a screenshot),
the coordinator confirms the hours, the volunteer finds them and gets a certificate, whose QR
code opens its verification page for anyone. A shorter path in English: a volunteer with
confirmed hours reads their page, their activities, the activities to join and their
certificate, whose PDF's QR code opens its verification page.

Check-in is an hour before the start; the activity is then moved two hours back in the
database (with the check-in), as if it had run its course, rather than waited for.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db, utcnow
from portal.demo import data
from portal.ledger.models import AccountKind, LedgerAccount
from portal.places.models import Place
from portal.volunteering import confirming
from portal.volunteering.activity_forms import SHANGHAI
from portal.volunteering.models import Activity, SignUp
from tests import factories
from tests.browser.conftest import LANGUAGES, WECHAT_ANDROID
from tests.browser.test_meetings import last_sms
from tests.qr import decode, pdf_page_images, pdf_text, scan
from tests.volunteering.attendance_world import attended

COORDINATOR = "13800138032"  # 孔繁华, volunteer coordinator of 塘尾社区 in the demo district
COMMUNITY = "440399001001"  # 塘尾社区
RESIDENT = "13712340031"
NAME, MASKED_NAME = "王秀英", "王*英"
NUMBER, MASKED_NUMBER = "440303198503120527", "4403**********0527"
TITLE = "重阳助餐：为独居老人送午饭"


def new_phone(chromium, language: str):
    """Another phone-sized tab in WeChat, with its own cookies (another person's phone)."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale=LANGUAGES[language], user_agent=WECHAT_ANDROID,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def resident_sign_in(page, live_server, number: str) -> None:
    """The SMS sign-in the sign-in page leads to: the number, then the code texted to it."""
    page.locator("#phone").fill(number)
    page.locator("form .button--large").click()
    # The code is read once the page asking for it is there: its SMS is queued by then.
    page.locator("#code").wait_for()
    page.locator("#code").fill(live_server.sms_code(number))
    page.locator("form .button--large").click()


def the_activity_runs_its_course(live_server, title: str) -> None:
    """Move the activity and its check-ins back in time, as if two hours had passed: it ended
    five minutes ago, and whoever checked in did so as long before its start as they did."""
    with live_server.app.app_context():
        activity = db.session.scalars(select(Activity).where(Activity.title == title)).one()
        shift = activity.ends_at - utcnow() + timedelta(minutes=5)
        activity.starts_at, activity.ends_at = activity.starts_at - shift, activity.ends_at - shift
        for sign_up in db.session.scalars(select(SignUp).where(SignUp.activity == activity)):
            if sign_up.checked_in_at is not None:
                sign_up.checked_in_at -= shift
        db.session.commit()


def banked_minutes(live_server, number: str) -> int | None:
    with live_server.app.app_context():
        return db.session.scalar(
            select(LedgerAccount.balance)
            .join(User, User.id == LedgerAccount.user_id)
            .where(LedgerAccount.kind == AccountKind.PERSON, User.phone == number)
        )


@pytest.mark.parametrize("language", ["zh"])
def test_a_resident_becomes_a_volunteer_and_banks_hours_with_a_certificate(
    live_server, chromium, phone, check, language
):
    # The resident finds volunteering on the portal's home page and applies.
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name=re.compile("^志愿服务")).first.click()
    expect(phone.locator("h1")).to_have_text("志愿服务")
    check(phone, "01-start")
    phone.get_by_role("link", name="用手机号登录后申请").click()
    resident_sign_in(phone, live_server, RESIDENT)
    expect(phone).to_have_url(re.compile(r"/volunteering/apply$"))
    phone.get_by_label("您所在的社区").select_option(COMMUNITY)
    phone.get_by_label("您的姓名（与身份证一致）").fill(NAME)
    phone.get_by_label("身份证号码", exact=True).fill(NUMBER)
    phone.get_by_label("助餐").check()
    phone.get_by_label("我同意社区为志愿服务保存我的身份证号码").check()
    check(phone, "02-apply")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.locator("main")).to_contain_text("社区协调员会答复您")
    check(phone, "03-applied")

    # The coordinator, on their phone, answers from the staff desk: the ID number masked.
    staff, desk = new_phone(chromium, language)
    desk.goto(live_server.url + "/staff/sign-in")
    desk.get_by_label("手机号码").fill(COORDINATOR)
    desk.get_by_label("密码", exact=True).fill(data.STAFF_PASSWORD)
    desk.get_by_role("button", name="登录", exact=True).click()
    expect(desk).to_have_url(re.compile(r"/staff$"))
    check(desk, "04-desk")
    desk.get_by_role("link", name=re.compile("^志愿者")).first.click()
    expect(desk.locator("main")).to_contain_text(MASKED_NUMBER)
    assert NUMBER not in desk.content()
    check(desk, "05-applications")
    desk.get_by_role("link", name=re.compile(NAME)).click()
    check(desk, "06-application")
    desk.get_by_role("button", name="通过", exact=True).click()
    expect(desk.locator(".flash")).to_contain_text(f"已通过，已短信通知{NAME}")
    assert last_sms(live_server, RESIDENT).kind == "volunteer_approved"

    # ... and publishes an activity starting in twenty minutes, worth at most an hour and a
    # half of the two it lasts, for older residents (so its hours go to the time bank).
    desk.goto(live_server.url + "/staff")
    desk.get_by_role("link", name=re.compile("^志愿活动")).click()
    check(desk, "07-activities")
    desk.get_by_role("link", name="发布活动").click()
    starts = (utcnow() + timedelta(minutes=20)).astimezone(SHANGHAI)
    desk.locator("#title").fill(TITLE)
    desk.locator("#service_kind").select_option("meals")
    desk.locator("#day").fill(starts.date().isoformat())
    desk.locator("#starts_at").fill(starts.strftime("%H:%M"))
    desk.locator("#ends_at").fill((starts + timedelta(hours=2)).strftime("%H:%M"))
    desk.locator("#location").fill("塘尾社区长者饭堂")
    desk.locator("#seats").fill("4")
    desk.locator("#worth_minutes").select_option("90")
    expect(desk.locator("#serves_elderly")).to_be_checked()
    check(desk, "08-publish")
    desk.get_by_role("button", name="发布", exact=True).click()
    expect(desk.locator(".flash")).to_contain_text("活动已发布")
    check(desk, "09-roster")

    # The volunteer's page now says so, and leads to the activity; they sign up.
    phone.goto(live_server.url + "/volunteering/")
    expect(phone.locator("main")).to_contain_text("您是塘尾社区的志愿者")
    expect(phone.locator("main")).to_contain_text(MASKED_NUMBER)
    check(phone, "10-volunteer")
    phone.get_by_role("link", name="找活动").click()
    check(phone, "11-activities")
    phone.get_by_role("link", name=re.compile(TITLE)).click()
    expect(phone.locator("main")).to_contain_text("最多 1.5小时 · 存入时间银行")
    check(phone, "12-activity")
    phone.get_by_role("button", name="报名", exact=True).click()
    expect(phone.locator("main")).to_contain_text("您已报名成功。")
    check(phone, "13-seated")
    # The roster gives the coordinator the number to call a volunteer who is late.
    desk.reload()
    expect(desk.locator(f'a[href="tel:{RESIDENT}"]')).to_have_text("137 1234 0031")

    # At the door: the coordinator shows the code, the volunteer's phone reads it.
    desk.get_by_role("link", name="签到：显示二维码").click()
    expect(desk.locator("h1")).to_have_text(f"签到：{TITLE}")
    check(desk, "14-check-in-code")
    url = scan(desk.locator("[data-check-code]"))
    assert url.startswith(live_server.url + "/volunteering/check/")
    phone.goto(url)
    expect(phone.locator("h1")).to_have_text("您已签到")
    check(phone, "15-checked-in")

    # Two hours later the activity is over; scanning the code again checks out, with the
    # hours the check-in and check-out record: the two hours it lasted, capped at 1.5.
    the_activity_runs_its_course(live_server, TITLE)
    url = scan(desk.locator("[data-check-code]"))
    phone.goto(url)
    expect(phone.locator("h1")).to_have_text("您已签退")
    expect(phone.locator("main")).to_contain_text("记录时长：1.5小时")
    check(phone, "16-checked-out")
    phone.get_by_role("link", name="我的全部活动").click()
    expect(phone.locator("main li", has_text=TITLE)).to_contain_text("时长尚未确认")
    check(phone, "17-past")

    # The coordinator confirms the hours as recorded; only now are they banked.
    desk.reload()
    expect(desk.locator(".roster")).to_contain_text(f"{NAME} 137****0031")
    expect(desk.locator(".roster")).not_to_contain_text(f"为{NAME}签退")
    assert banked_minutes(live_server, RESIDENT) in (None, 0)
    desk.get_by_role("link", name="确认服务时长").click()
    expect(desk.locator(".attendance-table")).to_contain_text("1.5")
    check(desk, "18-confirm")
    desk.get_by_role("button", name="按记录确认全部1人").click()
    expect(desk.locator("main")).to_contain_text("已按记录确认1人。")
    check(desk, "19-confirmed")
    staff.close()
    assert banked_minutes(live_server, RESIDENT) == 90

    # The volunteer finds their hours and gets a certificate of them.
    phone.reload()
    expect(phone.locator("main li", has_text=TITLE)).to_contain_text("已确认1.5小时")
    check(phone, "20-past-confirmed")
    phone.get_by_role("link", name="我的志愿服务证明").click()
    summary = phone.locator(".summary-list")
    expect(summary).to_contain_text(NAME)
    expect(summary.locator("div", has_text="服务时长")).to_contain_text("1.5")
    expect(phone.locator("main")).to_contain_text(TITLE)
    check(phone, "21-record")
    phone.get_by_role("button", name="开具我的证明").click()
    expect(phone.locator(".flash")).to_contain_text("证明已开具")
    check(phone, "22-certificate")
    (verify_url,) = decode(phone.locator(".certificate-qr .qr").screenshot())
    assert re.fullmatch(rf"{re.escape(live_server.url)}/v/[0-9A-Z-]+", verify_url)

    # Anyone holding the paper scans its code, signed out, on their own phone.
    stranger, page = new_phone(chromium, language)
    page.goto(verify_url)
    expect(page.locator(".verdict")).to_contain_text("有效：由本平台出具，未被撤销")
    facts = page.locator(".summary-list")
    expect(facts).to_contain_text(MASKED_NAME)
    expect(facts).to_contain_text(MASKED_NUMBER)
    expect(facts.locator("div", has_text="服务时长")).to_contain_text("1.5")
    assert NAME not in page.content() and NUMBER not in page.content()
    check(page, "23-verified")
    stranger.close()


EN_VOLUNTEER = "13712340032"
EN_TITLE = "Reading the paper with older neighbours"


def a_volunteer_with_confirmed_hours(live_server) -> None:
    """A volunteer of 塘尾社区 who attended an activity last week for 90 minutes, confirmed
    by the demo coordinator (banked on the ledger as the confirmation page would)."""
    with live_server.app.app_context():
        community = db.session.scalars(select(Place).where(Place.code == COMMUNITY)).one()
        coordinator = db.session.scalars(select(User).where(User.phone == COORDINATOR)).one()
        volunteer = factories.volunteer(
            db.session, community, name="陈建国",
            user=factories.user(db.session, phone=EN_VOLUNTEER, name="陈建国"),
        )  # fmt: skip
        activity = factories.activity(
            db.session, community, starts_at=utcnow() - timedelta(days=7), title=EN_TITLE
        )
        attended(db.session, activity, volunteer, 90)
        confirming.confirm_all(db.session, coordinator, activity, now=utcnow())
        db.session.commit()


@pytest.mark.parametrize("language", ["en"])
def test_a_volunteer_reads_their_record_and_certificate_in_english(
    live_server, chromium, phone, check, language, tmp_path: Path
):
    a_volunteer_with_confirmed_hours(live_server)
    phone.goto(live_server.url + "/sign-in?next=/volunteering/")
    resident_sign_in(phone, live_server, EN_VOLUNTEER)
    expect(phone.locator("main")).to_contain_text("You are a volunteer of Tangwei Community")
    check(phone, "1-volunteer")
    phone.get_by_role("link", name="All my activities").click()
    expect(phone.locator("main li", has_text=EN_TITLE)).to_contain_text("1.5 hours confirmed")
    check(phone, "2-mine")
    phone.get_by_role("link", name="Find an activity").click()
    expect(phone.locator("h1")).to_have_text("Volunteer activities")
    check(phone, "3-activities")
    phone.goto(live_server.url + "/volunteering/")
    phone.get_by_role("link", name="My certificate of volunteer service").click()
    expect(phone.locator(".summary-list div", has_text="Hours of service")).to_contain_text("1.5")
    expect(phone.locator("main")).to_contain_text(EN_TITLE)
    check(phone, "4-record")
    phone.get_by_role("button", name="Get my certificate").click()
    check(phone, "5-certificate")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    (verify_url,) = decode(pdf_page_images(pdf, 1, 1, dpi=150)[0])
    printed = pdf_text(pdf)
    # The paper is the volunteer's own and names them whole; /v/<code> shows the name masked.
    assert verify_url in printed and "陈建国" in printed
    phone.goto(verify_url)
    expect(phone.locator(".verdict")).to_contain_text(
        "Valid: issued by the portal and not withdrawn"
    )
    expect(phone.locator(".summary-list")).to_contain_text("陈*国")
    check(phone, "6-verified")
