"""Archive queries (查档) on a phone, in Chinese: a resident asks for their late father's
marriage record as his near relative, with the documents the checklist asks for; the
district archive's archivist asks for one more, the resident adds it, the archivist accepts
and passes it to the street's archive, which answers with a scan; the district archivist
records the result, which issues the letter; its QR code, read from a screenshot, opens a
verification page that says it counts and names nobody in full. In English, the shorter
path: a resident asks for their own school record, which is not found."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from portal.archives.models import Archive, ArchiveKind, ArchiveMember, RecordKind
from portal.db import db, utcnow
from portal.demo import data
from portal.permissions import SYSTEM, Role
from portal.places.models import Place
from portal.staff import services as staff
from tests.browser.test_legal_consultations import sign_in_by_sms, staff_page
from tests.browser.test_meetings import last_sms
from tests.factories import id_number
from tests.qr import scan

ARCHIVIST = "13800138007"  # 孙伟, the demo district's archivist: of its archive here
STREET_ARCHIVIST = "13800138061"  # the archivist of 凤凰街道's archive, made here
RESIDENTS = {"zh": "13512340061", "en": "13512340062"}
# (code, place, Chinese, English, kinds of record kept, archivist)
ARCHIVES = [
    ("minghu-archives", "440399", "明湖区档案馆", "Minghu District Archives",
     ("marriage", "schooling"), ARCHIVIST),
    ("fenghuang-records", "440399001", "凤凰街道档案室", "Fenghuang Subdistrict Records Room",
     ("marriage",), STREET_ARCHIVIST),
]  # fmt: skip
TEXT = {
    "zh": {"phone": "手机号码", "password": "密码", "sign_in": "登录"},
    "en": {"phone": "Mobile number", "password": "Password", "sign_in": "Sign in"},
}
REQUESTER, FATHER = "王丽", "王建国"
MORE = "请补充您父母的结婚证照片，或户口簿上登记婚姻状况的一页。"
FILE_NUMBER = "FH-1978-HY-0042"
SUMMARY = "1978年3月12日，王建国与陈秀兰在凤凰公社登记结婚。"


@pytest.fixture(scope="module")
def archives(live_server) -> None:
    """The district's archive and 凤凰街道's, each with its archivist, as an administrator
    sets them up (the demo district has none)."""
    now = utcnow()
    with live_server.app.app_context():
        session = db.session
        places = {place.code: place for place in session.scalars(select(Place))}
        kinds = {kind.code: kind for kind in session.scalars(select(RecordKind))}
        street_archivist = staff.create_user(
            session, SYSTEM, phone=STREET_ARCHIVIST, display_name="许文华",
            password=data.STAFF_PASSWORD, now=now,
        )  # fmt: skip
        street_archivist.must_change_password = False
        staff.grant_role(session, SYSTEM, street_archivist, Role.ARCHIVIST, "440399001", now=now)
        for code, place, name_zh, name_en, kept, member in ARCHIVES:
            archive = Archive(
                code=code, place=places[place], name_zh=name_zh, name_en=name_en,
                address_zh="档案路1号", address_en="1 Archive Road", phone="0755-2345 6000",
            )  # fmt: skip
            session.add(archive)
            session.flush()
            user_id = session.scalar(select(User.id).where(User.phone == member))
            session.add(ArchiveMember(archive_id=archive.id, user_id=user_id, added_at=now))
            for kind in kept:
                session.add(ArchiveKind(archive_id=archive.id, kind_id=kinds[kind].id))
        session.commit()


def a_scan(tmp_path, name: str, colour: tuple[int, int, int]) -> str:
    """A photo of a document, as a phone takes it."""
    path = tmp_path / name
    Image.new("RGB", (1200, 900), colour).save(path, "JPEG")
    return str(path)


def sms_link(live_server, number: str) -> str:
    """The address in the newest SMS to `number`."""
    return re.search(r"http://127\.0\.0\.1:\d+/\S+", last_sms(live_server, number).body).group(0)


def sign_in_at_archives(phone, live_server, number: str) -> None:
    phone.goto(live_server.url + "/sign-in?next=/archives")
    sign_in_by_sms(phone, live_server, number)
    expect(phone).to_have_url(re.compile(r"/archives$"))


def reference_of(phone) -> str:
    expect(phone).to_have_url(re.compile(r"/archives/requests/\w+$"))
    return phone.url.rsplit("/", 1)[1]


@pytest.mark.parametrize("language", ["zh"])
def test_a_relative_gets_a_parents_marriage_record_that_another_archive_found(
    live_server, chromium, phone, check, language, archives, tmp_path
):
    number, words = RESIDENTS[language], TEXT[language]
    own_id, father_id = id_number(date(1982, 9, 3)), id_number(date(1950, 1, 20))
    addresses: list[str] = []
    phone.on("request", lambda sent: addresses.append(sent.url))
    sign_in_at_archives(phone, live_server, number)
    check(phone, "01-start")
    phone.get_by_role("link", name=re.compile("^婚姻登记")).click()
    # The checklist, before starting: a near relative attaches the death certificate too.
    expect(phone.locator("main")).to_contain_text("我是已去世当事人的近亲属")
    expect(phone.locator("main")).to_contain_text("死亡证明")
    check(phone, "02-checklist")
    phone.get_by_role("link", name=re.compile("开始申请.*已去世当事人的近亲属")).click()

    phone.get_by_label("明湖区档案馆").check()
    phone.get_by_label("您的姓名").fill(REQUESTER)
    phone.get_by_label("您的身份证号码").fill(own_id)
    phone.get_by_label("档案当事人的姓名").fill(FATHER)
    phone.get_by_label("当事人的身份证号码").fill(father_id)
    for label, name, colour in (
        ("您本人的身份证（正反面）", "身份证.jpg", (200, 200, 210)),
        ("死亡证明", "死亡证明.jpg", (230, 230, 220)),
        ("您和当事人关系的证明（户口簿或证明信）", "户口簿.jpg", (180, 60, 50)),
    ):
        phone.get_by_label(label).set_input_files(a_scan(tmp_path, name, colour))
    phone.get_by_label("查档用途是什么？").fill("办理父亲房产的继承公证")
    phone.get_by_label("网上：电子告知书，可查看、打印或转发").check()
    phone.locator("#consent").check()
    check(phone, "03-ask")
    phone.get_by_role("button", name="提交查档申请").click()
    reference = reference_of(phone)
    main = phone.locator("main")
    expect(main).to_contain_text("已提交，等待档案馆审核")
    # The numbers come back masked only, even to the one who typed them.
    expect(main).not_to_contain_text(own_id)
    expect(main).not_to_contain_text(father_id)
    check(phone, "04-sent")

    desk = staff_page(chromium, live_server, ARCHIVIST, words, "zh-CN")
    desk.goto(live_server.url + "/archives/desk")
    expect(desk.locator("main")).to_contain_text("王*国")
    check(desk, "05-desk")
    desk.get_by_role("link", name=re.compile(reference)).click()
    expect(desk.locator("main")).to_contain_text("已故者的近亲属")
    expect(desk.locator("main")).not_to_contain_text(father_id)
    check(desk, "06-review")
    desk.get_by_label("缺少哪份材料？").fill(MORE)
    desk.get_by_role("button", name="提出要求并短信通知居民").click()
    expect(desk.locator("main")).to_contain_text(MORE)
    check(desk, "07-waiting")

    # The resident follows the SMS to what was asked, and adds it.
    phone.goto(sms_link(live_server, number))
    expect(main).to_contain_text("档案馆需要您补充材料")
    expect(main).to_contain_text(MORE)
    check(phone, "08-more-asked")
    phone.get_by_label("档案馆要求的其他材料").check()
    phone.get_by_label("照片或PDF文件").set_input_files(
        a_scan(tmp_path, "结婚证.jpg", (200, 40, 40))
    )
    phone.get_by_role("button", name="提交给档案馆").click()
    expect(main).to_contain_text("已提交，等待档案馆审核")
    expect(main).to_contain_text("档案馆要求的其他材料")
    check(phone, "09-added")

    # The archivist accepts, and asks the street's archive to look in its registers.
    desk.reload()
    added = desk.locator(".summary-list > div", has_text="后来要求补充的其他材料")
    expect(added.get_by_role("link", name="文件 1")).to_be_visible()
    desk.get_by_role("button", name="受理：材料齐全").click()
    expect(desk.locator("main")).to_contain_text("已受理")
    check(desk, "10-accepted")
    # Each field has a label of its own: on an accepted request the notes to the resident and
    # to the archive asked to help sit side by side. Asserted at the end, so that a mix-up here
    # hides none of what follows.
    more_labels = desk.locator("form[action$='/more'] textarea").evaluate("e => e.labels.length")
    desk.get_by_label("请哪家档案馆协助").select_option(label="凤凰街道档案室")
    desk.get_by_label("请对方查找什么？").fill("1978年前后的婚姻登记档案，男方王建国")
    desk.get_by_role("button", name="转请协助并短信通知对方档案员").click()
    expect(desk.locator("main")).to_contain_text("1978年前后的婚姻登记档案")
    assert last_sms(live_server, STREET_ARCHIVIST).kind == "archives_assist"
    check(desk, "11-passed")

    street = staff_page(chromium, live_server, STREET_ARCHIVIST, words, "zh-CN")
    street.goto(live_server.url + "/archives/desk")
    street.get_by_role("link", name=re.compile("请本馆协助")).click()
    check(street, "12-assist-queue")
    street.get_by_role("link", name=re.compile(reference)).click()
    check(street, "13-assist")
    street.get_by_label("已查到档案").check()
    street.get_by_label("档号").fill(FILE_NUMBER)
    street.get_by_label("档案内容摘要").fill(SUMMARY)
    street.get_by_label("扫描件（仅查到档案时）").set_input_files(
        a_scan(tmp_path, "scan-1.jpg", (240, 235, 220))
    )
    street.get_by_role("button", name="提交本馆答复").click()
    expect(street.locator("main")).to_contain_text(FILE_NUMBER)
    check(street, "14-assist-answered")
    street.context.close()

    # The district archivist checks the answer, filled in for them, and issues the letter.
    desk.reload()
    expect(desk.get_by_label("档号")).to_have_value(FILE_NUMBER)
    expect(desk.get_by_label("已查到档案")).to_be_checked()
    check(desk, "15-result")
    desk.get_by_role("button", name=re.compile("^出具.*并短信通知居民$")).click()
    expect(desk.locator("main")).to_contain_text("已答复：查到")
    check(desk, "16-answered")
    desk.context.close()

    phone.goto(sms_link(live_server, number))
    expect(main).to_contain_text("已查到档案")
    check(phone, "17-answered")
    phone.get_by_role("link", name="查看结果告知书").click()
    expect(main).to_contain_text(SUMMARY)
    expect(main).to_contain_text(FILE_NUMBER)
    expect(phone.locator("img.letter-scan")).to_have_count(1)
    check(phone, "18-letter")

    # Whoever is shown the letter scans its code and reads whether it counts.
    url = scan(phone.locator(".certificate-qr .qr"))
    assert url.startswith(live_server.url + "/v/")
    phone.goto(url)
    expect(phone.locator(".verdict")).to_contain_text("有效：由本平台出具，未被撤销")
    expect(main).to_contain_text("明湖区档案馆")
    expect(main).to_contain_text("王*国")
    for personal in (FATHER, REQUESTER, father_id, own_id):
        expect(main).not_to_contain_text(personal)
    check(phone, "19-verified")
    # The ID numbers travelled in POST bodies only, never in an address.
    assert not [url for url in addresses if own_id in url or father_id in url]
    assert more_labels == 1, "the desk's 缺少哪份材料？ field is not the one its label names"


@pytest.mark.parametrize("language", ["en"])
def test_in_english_a_resident_asks_for_their_school_record_which_is_not_found(
    live_server, chromium, phone, check, language, archives, tmp_path
):
    number, words = RESIDENTS[language], TEXT[language]
    sign_in_at_archives(phone, live_server, number)
    check(phone, "1-start")
    phone.get_by_role("link", name=re.compile("^School and education records")).click()
    check(phone, "2-checklist")
    phone.get_by_role("link", name=re.compile("Start.*The record is about me")).click()
    # The one archive keeping school records is chosen already.
    expect(phone.get_by_label("Minghu District Archives")).to_be_checked()
    phone.get_by_label("Your full name").fill("Zhang Wei")
    phone.get_by_label("Your ID card number").fill(id_number(date(1990, 6, 1)))
    phone.get_by_label("Your own ID card (both sides)").set_input_files(
        a_scan(tmp_path, "id-card.jpg", (200, 200, 210))
    )
    phone.get_by_label("What do you need the record for?").fill("To apply for a job abroad")
    phone.locator("#consent").check()
    check(phone, "3-ask")
    phone.get_by_role("button", name="Send my request to the archive").click()
    reference = reference_of(phone)
    check(phone, "4-sent")

    desk = staff_page(chromium, live_server, ARCHIVIST, words, "en-US")
    desk.goto(f"{live_server.url}/archives/desk/requests/{reference}")
    desk.get_by_role("button", name="Accept: the documents are in order").click()
    desk.get_by_label("No such record was found").check()
    desk.get_by_label("What the record shows").fill("Searched the school registers of 1996-2008.")
    check(desk, "5-result")
    desk.get_by_role("button", name="Issue the letter and text the resident").click()
    expect(desk.locator("main")).to_contain_text("Answered: not found")
    check(desk, "6-answered")
    desk.context.close()

    phone.reload()
    expect(phone.locator("main")).to_contain_text("No such record was found")
    check(phone, "7-answered")
    phone.get_by_role("link", name="Read the result letter").click()
    expect(phone.locator("h1")).to_have_text("Archive query result letter")
    expect(phone.locator("main")).to_contain_text(
        "The archive searched its holdings and found no such record."
    )
    check(phone, "8-letter")
