"""The report's answers live in a draft: the language switch keeps the screen and what is
typed on it, every screen has an address of its own that Back can open again (for a signed-in
resident too), nothing typed goes into an address, and screens sent at once lose nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from portal.appeals.models import Appeal
from portal.catalogue.services import seed_catalogue
from portal.db import db
from portal.drafts.models import Draft
from tests import factories
from tests.accounts.test_views import EN, sign_in_by_sms
from tests.appeals.conftest import RESIDENT, item
from tests.appeals.test_views import answers, post, screen, send

ZH = {"Accept-Language": "zh-CN"}


def test_switching_language_keeps_the_screen_and_what_is_typed_on_it(client, session, tree):
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    page = client.get(f"{url}?step=item&item={data['item']}", headers=ZH).get_data(as_text=True)
    # The header's switch sends the report's own form (no JavaScript needed).
    assert '<button class="link-button" type="submit" form="report" name="language"' in page
    typed = data | {"description": "楼道灯坏了三天", "urgent": "y"}
    switched = post(client, tree.building, "details", typed, language="en")
    assert switched.status_code == 302 and switched.headers["Location"] == f"{url}?step=details"
    assert "portal_lang=en" in switched.headers["Set-Cookie"]
    body = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert "Tell us about it" in body and "楼道灯坏了三天</textarea>" in body
    assert '<input checked id="urgent" name="urgent"' in body
    assert "Say what happened" not in body, "switching is not sending: nothing is checked"

    # On the last screen too: the language changes, nothing is sent.
    post(client, tree.building, "details", typed)
    post(client, tree.building, "contact", data)
    back = post(client, tree.building, "check", {}, language="zh_Hans_CN")
    assert back.headers["Location"] == f"{url}?step=check"
    assert session.scalar(select(Appeal.id)) is None
    assert "核对" in client.get(back.headers["Location"]).get_data(as_text=True)


def test_enter_in_a_field_goes_on_rather_than_switching_language(client, session, tree):
    """A browser sends a form with Enter through its first button in the page, which must be
    a plain one, before the header's language button."""
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    page = client.get(f"{url}?step=item&item={data['item']}", headers=EN).get_data(as_text=True)
    plain = page.index('<button type="submit" form="report" hidden></button>')
    assert plain < page.index('name="language"')


def test_no_answer_goes_into_an_address(client, session, tree):
    data = answers(session)
    went = [post(client, tree.building, step, data) for step in ("details", "contact")]
    went.append(post(client, tree.building, "check", {}))
    for response in went:
        location = response.headers["Location"]
        assert RESIDENT not in location and "1234" not in location and "%" not in location


def test_a_signed_in_resident_can_open_every_screen_again(client, session, tree, sms):
    """Pages for a signed-in resident are never stored by the browser, so Back opens each
    screen again by its address: every one must be a GET that works."""
    sign_in_by_sms(client, sms, RESIDENT)
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    second = client.get(f"{url}?step=item&item={data['item']}", headers=EN)
    assert second.headers["Cache-Control"] == "no-store"
    contact = screen(client, post(client, tree.building, "details", data))
    # Their own number is offered.
    assert 'value="13712345678"' in contact
    post(client, tree.building, "contact", data)
    for address, heading in [
        (f"{url}?step=check", "Check your answers"),
        (f"{url}?step=contact", "How can we reach you?"),
        (f"{url}?step=details", "Tell us about it"),
        (f"{url}?all=1", "What kind of problem is it?"),
        (url, "What kind of problem is it?"),
    ]:
        again = client.get(address, headers=EN)
        assert again.status_code == 200 and heading in again.get_data(as_text=True), address
    sent = post(client, tree.building, "check", {})
    assert "/received" in sent.headers["Location"]
    assert client.get(f"{url}?step=check").headers["Location"] == sent.headers["Location"]


def test_a_second_report_from_the_same_door_starts_afresh(client, session, tree):
    first = send(client, tree.building, answers(session))
    assert "/confirm" in first.headers["Location"]
    data = answers(session, description="二楼电梯门关不上")
    body = client.get(
        f"/b/{tree.building.public_code}/report?step=item&item={data['item']}", headers=EN
    ).get_data(as_text=True)
    assert "三楼楼道堆满纸箱" not in body, "the first report's answers are gone"
    second = send(client, tree.building, data)
    assert second.headers["Location"] != first.headers["Location"]
    assert len(session.scalars(select(Appeal)).all()) == 2


@pytest.fixture
def live(fresh_app):
    """An app on a database of its own, for requests from threads at the same moment."""
    app = fresh_app(migrate=True)
    with app.app_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        db.session.commit()
        kind = item(db.session, "rubbish-in-corridor").id
        code = tree.building.public_code
    return app, code, kind


def together(app, cookie: str, requests) -> list:
    """Send each (step, data) from its own thread with the same browser's session cookie."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def run(index: int, url: str, data: dict) -> None:
        client = app.test_client()
        client.set_cookie("portal_session", cookie)
        barrier.wait()
        responses[index] = client.post(url, data=data)

    threads = [
        threading.Thread(target=run, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_two_taps_on_send_at_once_file_one_report(live):
    app, code, kind = live
    client = app.test_client()
    url = f"/b/{code}/report"
    data = {"item": kind, "description": "楼道有垃圾", "phone": RESIDENT}
    for step in ("details", "contact"):
        assert client.post(url, data={"step": step, **data}).status_code == 302
    cookie = client.get_cookie("portal_session").value
    responses = together(app, cookie, [(url, {"step": "check"})] * 2)
    assert [response.status_code for response in responses] == [302, 302]
    assert len({response.headers["Location"] for response in responses}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(Appeal)).all()) == 1


def test_two_screens_sent_at_once_from_two_tabs_lose_nothing(live):
    app, code, kind = live
    client = app.test_client()
    url = f"/b/{code}/report"
    assert (
        client.post(url, data={"step": "details", "item": kind, "description": "x"}).status_code
        == 302
    )
    cookie = client.get_cookie("portal_session").value
    together(app, cookie, [
        (url, {"step": "details", "item": kind, "description": "楼道有垃圾"}),
        (url, {"step": "contact", "phone": RESIDENT, "name": "张阿姨"}),
    ])  # fmt: skip
    with app.app_context():
        fields = db.session.scalars(select(Draft)).one().answers["fields"]
    assert fields["description"] == "楼道有垃圾" and fields["phone"] == RESIDENT


def test_signing_in_halfway_keeps_the_report_and_signing_out_forgets_it(client, session, tree, sms):
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", answers(session))
    page = client.get(f"{url}?step=contact", headers=EN).get_data(as_text=True)
    # The header's link comes back here once signed in.
    assert f'href="/sign-in?next={url}?step%3Dcontact"' in page.replace("%2F", "/")
    sign_in_by_sms(client, sms, RESIDENT)
    body = client.get(f"{url}?step=details", headers=EN).get_data(as_text=True)
    assert "三楼楼道堆满纸箱，挡住了路</textarea>" in body
    client.post("/sign-out")
    assert client.get(f"{url}?step=details").headers["Location"] == url


def test_staff_left_idle_while_filing_sign_in_again_and_leave_nothing_behind(
    client, session, tree, staff
):
    import time

    from tests.accounts.test_views import sign_in_staff

    sign_in_staff(client, staff.grid_worker)
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", answers(session))
    with client.session_transaction() as cookie:
        cookie["seen_at"] = int(time.time()) - 31 * 60
    later = client.get(f"{url}?step=contact", headers=EN)
    assert later.headers["Location"].startswith("/staff/sign-in?next=")
    # A resident's answers are not left on a shared computer.
    assert client.get(f"{url}?step=details").headers["Location"] == url


def test_a_resident_left_idle_keeps_their_report(client, session, tree, sms):
    import time

    sign_in_by_sms(client, sms, RESIDENT)
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", answers(session))
    with client.session_transaction() as cookie:
        cookie["seen_at"] = int(time.time()) - 8 * 24 * 3600
    assert client.get(f"{url}?step=details").headers["Location"].startswith("/sign-in")
    body = client.get(f"{url}?step=details", headers=EN).get_data(as_text=True)
    assert "三楼楼道堆满纸箱，挡住了路</textarea>" in body


def test_send_refuses_answers_changed_in_another_tab_since_they_were_shown(client, session, tree):
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", data)
    post(client, tree.building, "contact", data)
    shown = client.get(f"{url}?step=check", headers=EN).get_data(as_text=True)
    seen = shown.split('name="seen" type="hidden" value="')[1].split('"')[0]
    # Another tab of the same door changes the description.
    post(client, tree.building, "details", data | {"description": "另一个窗口写的"})
    refused = post(client, tree.building, "check", {"seen": seen})
    assert refused.headers["Location"] == f"{url}?step=check"
    assert session.scalar(select(Appeal.id)) is None
    body = screen(client, refused)
    assert "Your answers were changed in another window" in body and "另一个窗口写的" in body
    fresh = body.split('name="seen" type="hidden" value="')[1].split('"')[0]
    assert "/confirm" in post(client, tree.building, "check", {"seen": fresh}).headers["Location"]


def test_a_change_on_the_last_screen_leads_back_to_it(client, session, tree):
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", data)
    post(client, tree.building, "contact", data)
    post(client, tree.building, "check", {}, change="details")
    went = post(client, tree.building, "details", data | {"location": "3单元"})
    assert went.headers["Location"] == f"{url}?step=check"


def test_the_first_screen_offers_to_go_on_with_a_report_begun(client, session, tree):
    url = f"/b/{tree.building.public_code}/report"
    post(client, tree.building, "details", answers(session))
    body = client.get(url, headers=EN).get_data(as_text=True)
    assert "You began a report here and have not sent it." in body
    assert f'<a href="{url}?step=contact">Go on with it</a>' in body
