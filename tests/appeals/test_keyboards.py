"""A phone opens the number pad for every field of digits a resident types: the mobile
number, the code from the SMS and the last 4 digits (issue 17, item 3)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.appeals.forms import BlockForm
from portal.staff.forms import NewStaffForm
from portal.units.forms import MemberForm
from tests.accounts.test_views import EN
from tests.appeals.conftest import file_appeal
from tests.appeals.test_views import answers, post, screen, send

pytestmark = pytest.mark.usefixtures("app_context")

PHONE = {"inputmode": "numeric", "autocomplete": "tel"}
CODE = {"inputmode": "numeric", "autocomplete": "one-time-code"}
DIGITS = {"inputmode": "numeric", "autocomplete": "off"}


class Inputs(HTMLParser):
    """The attributes of a page's <input> elements, by name."""

    def __init__(self, page: str):
        super().__init__()
        self.by_name: dict[str, dict[str, str | None]] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            found = dict(attrs)
            self.by_name[found.get("name") or ""] = found


def assert_keyboard(page: str, name: str, wanted: dict[str, str]) -> None:
    attributes = Inputs(page).by_name[name]
    assert {key: attributes.get(key) for key in wanted} == wanted, (name, attributes)


def test_signing_in_opens_the_number_pad(client, session, sms):
    assert_keyboard(client.get("/sign-in", headers=EN).get_data(True), "phone", PHONE)
    assert_keyboard(client.get("/staff/sign-in", headers=EN).get_data(True), "phone", PHONE)
    client.post("/sign-in", data={"phone": "13800138000"}, headers=EN)
    assert_keyboard(client.get("/sign-in/code", headers=EN).get_data(True), "code", CODE)


def test_the_report_opens_the_number_pad(client, session, tree):
    data = answers(session)
    contact = screen(client, post(client, tree.building, "details", data))
    assert "How can we reach you?" in contact
    assert_keyboard(contact, "phone", PHONE)
    sent = send(client, tree.building, data)
    confirm = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert_keyboard(confirm, "code", CODE)


def test_the_tracking_page_opens_the_number_pad(client, session, tree, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    track = client.get(f"/t/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert_keyboard(track, "digits", DIGITS)


# Staff type other people's numbers: the number pad, without their own number offered.
@pytest.mark.parametrize("form", [BlockForm, NewStaffForm, MemberForm])
def test_staff_forms_open_the_number_pad_for_a_mobile_number(form):
    rendered = form(formdata=None, meta={"csrf": False})["phone"]()
    assert_keyboard(rendered, "phone", {"inputmode": "numeric", "autocomplete": "off"})
