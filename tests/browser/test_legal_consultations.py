"""e法官 on a phone: a resident asks a lawyer online with a photo of their contract, the lawyer
answers, the resident follows up and the lawyer answers again; the lawyer proposes publishing
it, the resident agrees through the SMS link with a code, the lawyer writes it without names,
the supervisor publishes it, and anyone finds it by a word from it. In English, the shorter
path: a resident asks and the lawyer answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.demo import data
from tests.browser.test_appeals import a_photo
from tests.browser.test_doors import scanned_url
from tests.browser.test_meetings import last_sms

ADVISER = "13800138028"  # 吴志远, the lawyer of 塘尾社区, where the scanned door is
SUPERVISOR = "13800138039"  # 沈文静, the district's legal supervisor
RESIDENTS = {"zh": "13512340041", "en": "13512340042"}
TEXT = {
    "zh": {"ask": "e法官：在线咨询法律问题", "topic": "房屋租赁", "send": "发送我的问题",
           "phone": "手机号码", "password": "密码", "sign_in": "登录",
           "clear": "没有利益冲突，查看问题", "answer": "发送答复并短信通知居民"},
    "en": {"ask": "Ask a legal adviser online (e-judge)", "topic": "Renting a home",
           "send": "Send my question", "phone": "Mobile number", "password": "Password",
           "sign_in": "Sign in", "clear": "No conflict: show me the question",
           "answer": "Send the answer and text the resident"},
}  # fmt: skip
QUESTION = "房东张大伟不退押金三千元，说墙面有污渍。租期已满，我该怎么办？"
ANSWER = (
    "押金应当在租期届满后退还。墙面正常使用的痕迹不是扣押金的理由，可以先协商，再申请人民调解。"
)


def sign_in_by_sms(page, live_server, number: str) -> None:
    """On the sign-in page the resident was sent to: their number, then the code texted."""
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.locator("#phone").fill(number)
    page.locator("form .button--large").click()
    page.locator("#code").wait_for()
    page.locator("#code").fill(live_server.sms_code(number))
    page.locator("form .button--large").click()


def staff_page(chromium, live_server, number: str, words: dict, locale: str):
    """A staff member signed in at their desk, in a browser of their own."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/staff/sign-in")
    page.get_by_label(words["phone"]).fill(number)
    page.get_by_label(words["password"], exact=True).fill(data.STAFF_PASSWORD)
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff$"))
    return page


def ask_from_the_door(phone, live_server, check, tmp_path, words: dict, number: str) -> str:
    """The resident scans their door, asks with a photo, and lands on their thread; its
    reference."""
    url, _building = scanned_url(live_server, tmp_path)
    phone.goto(url)
    phone.get_by_role("link", name=words["ask"]).click()
    sign_in_by_sms(phone, live_server, number)
    expect(phone).to_have_url(re.compile(r"/legal/ask/"))
    check(phone, "1-ask")
    phone.get_by_label(words["topic"]).check()
    phone.locator("#question").fill(QUESTION)
    phone.locator("#documents").set_input_files(
        files=[{"name": "租房合同.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}]
    )
    phone.locator("#other_party").fill("张大伟")
    # Sent without the consent: refused, and nothing typed is lost.
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.locator(".error-summary")).to_be_visible()
    expect(phone.locator("#question")).to_have_value(QUESTION)
    expect(phone.locator("#other_party")).to_have_value("张大伟")
    check(phone, "2-ask-refused")
    phone.locator("#consent").check()
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone).to_have_url(re.compile(r"/legal/consultations/L\w+$"))
    check(phone, "3-thread-waiting")
    return phone.url.rsplit("/", 1)[1]


def answer(desk, live_server, reference: str, words: dict, text: str) -> None:
    desk.goto(f"{live_server.url}/legal/desk/{reference}")
    clear = desk.get_by_role("button", name=words["clear"])
    if clear.count():
        # Before the question, the lawyer sees only the topic and the other party's name.
        expect(desk.locator("main")).to_contain_text("张大伟")
        expect(desk.locator("main")).not_to_contain_text(QUESTION)
        clear.click()
    expect(desk.locator("main")).to_contain_text(QUESTION)
    desk.locator("#body").fill(text)
    desk.get_by_role("button", name=words["answer"]).click()


@pytest.mark.parametrize("language", ["zh"])
def test_a_resident_asks_a_lawyer_and_the_answer_becomes_a_public_one(
    live_server, chromium, phone, check, language, tmp_path
):
    words, number = TEXT[language], RESIDENTS[language]
    reference = ask_from_the_door(phone, live_server, check, tmp_path, words, number)
    assert last_sms(live_server, ADVISER).kind == "legal_consultation_new"

    desk = staff_page(chromium, live_server, ADVISER, words, "zh-CN")
    desk.goto(live_server.url + "/legal/desk")
    check(desk, "4-queue")
    desk.get_by_role("link", name=re.compile(reference)).first.click()
    check(desk, "5-conflict-check")
    desk.get_by_role("button", name=words["clear"]).click()
    # The photo of the contract opens for the lawyer now.
    with desk.expect_response(re.compile("/documents/")) as got:
        desk.get_by_role("link", name="材料1").click()
    assert got.value.status == 200 and got.value.headers["content-type"] == "image/jpeg"
    desk.go_back()
    desk.locator("#body").fill(ANSWER)
    desk.locator("input[name=law_1]").fill("中华人民共和国民法典")
    desk.locator("input[name=article_1]").fill("第七百零三条")
    check(desk, "6-answer")
    desk.get_by_role("button", name=words["answer"]).click()
    expect(desk.locator("main")).to_contain_text(ANSWER)

    # The resident follows the SMS link to the answer, and asks again.
    link = re.search(
        r"http://127\.0\.0\.1:\d+/legal/consultations/L\w+", last_sms(live_server, number).body
    )
    phone.goto(link.group(0))
    expect(phone.locator("main")).to_contain_text(ANSWER)
    expect(phone.locator("main")).to_contain_text("中华人民共和国民法典")
    expect(phone.locator("main")).not_to_contain_text(ADVISER)
    check(phone, "7-answered")
    phone.locator("textarea[name=body]").fill("房东说要扣一个月租金当违约金，这合理吗？")
    phone.locator("form:has(textarea[name=body]) button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text("违约金")

    answer(
        desk,
        live_server,
        reference,
        words,
        "合同没有约定违约金的，房东不能扣。可以请社区人民调解委员会调解。",
    )
    phone.reload()
    expect(phone.locator("main")).to_contain_text("人民调解委员会")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    check(phone, "8-rated")

    # The lawyer proposes publishing it; the resident agrees from the SMS link, with a code.
    desk.goto(f"{live_server.url}/legal/desk/{reference}")
    desk.get_by_role("button", name="提议公开").click()
    consent = re.search(
        r"http://127\.0\.0\.1:\d+/legal/faq/consent/\w+", last_sms(live_server, number).body
    )
    phone.goto(consent.group(0))
    check(phone, "9-consent")
    phone.get_by_role("button", name="获取短信验证码").click()
    phone.locator("#code").fill(live_server.sms_code(number))
    phone.get_by_role("button", name="我同意去掉姓名后公开").click()
    expect(phone.locator("main")).to_contain_text("谢谢")

    # The lawyer writes it without names: the check stops a name left in.
    desk.goto(f"{live_server.url}/legal/desk/{reference}")
    desk.get_by_role("link", name="整理匿名文字").click()
    expect(desk.locator("#question")).to_contain_text("张大伟")
    desk.locator("#question").fill("房东以墙面有污渍为由不退押金，租期已满，该怎么办？")
    desk.get_by_role("button", name="保存并检查").click()
    check(desk, "10-draft")
    desk.get_by_role("button", name="提交审核").click()
    desk.context.close()

    review = staff_page(chromium, live_server, SUPERVISOR, words, "zh-CN")
    review.goto(live_server.url + "/legal/faq/review")
    check(review, "11-review")
    review.get_by_role("button", name="发布").first.click()
    review.context.close()

    # Anyone finds it by a two-character word of it.
    phone.goto(live_server.url + "/legal/faq")
    phone.locator("input[name=q]").fill("押金 污渍")
    phone.locator("input[name=q]").press("Enter")
    expect(phone.locator("main")).to_contain_text("墙面有污渍")
    check(phone, "12-search")
    phone.get_by_role("link", name=re.compile("墙面有污渍")).first.click()
    expect(phone.locator("main")).to_contain_text("押金应当在租期届满后退还")
    expect(phone.locator("main")).not_to_contain_text("张大伟")


@pytest.mark.parametrize("language", ["en"])
def test_in_english_a_resident_asks_and_the_lawyer_answers(
    live_server, chromium, phone, check, language, tmp_path
):
    words, number = TEXT[language], RESIDENTS[language]
    reference = ask_from_the_door(phone, live_server, check, tmp_path, words, number)
    expect(phone.locator("main")).to_contain_text("Waiting for the adviser's answer")
    desk = staff_page(chromium, live_server, ADVISER, words, "en-US")
    answer(desk, live_server, reference, words, ANSWER)
    desk.context.close()
    phone.reload()
    expect(phone.locator("main")).to_contain_text(ANSWER)
    check(phone, "4-answered")
