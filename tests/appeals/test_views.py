"""Appeals over HTTP: the report screen by screen, confirming, tracking, rating, photos,
the staff queue and the appeal page, and every refusal."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import event, select

from portal.appeals import services
from portal.appeals.models import Appeal, AppealPhoto, AppealState
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.i18n import format_moment
from portal.uploads.web import store
from tests import factories
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import (
    RESIDENT,
    code_sent,
    current_settings,
    file_appeal,
    item,
    messages,
)

# The services that file the appeals these tests start from read the app's configuration.
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("app_context")


def photo_with_location() -> bytes:
    image = Image.new("RGB", (600, 400), (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 45.0, 30.0), 3: "E", 4: (113.0, 55.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def answers(session, **changed) -> dict:
    values = {
        "item": str(item(session, "rubbish-in-corridor").id),
        "description": "三楼楼道堆满纸箱，挡住了路",
        "location": "2单元3楼",
        "phone": "137 1234 5678",
        "name": "张阿姨",
    }
    return values | changed


def post(client, building, step, data, *, environ_base=None, **extra):
    """One screen of the report sent, as a browser sends it (with every answer given: the
    view takes only the screen's own)."""
    return client.post(
        f"/b/{building.public_code}/report",
        data={**data, "step": step, **extra},
        headers=EN,
        content_type="multipart/form-data",
        environ_base=environ_base or {},
    )


def send(client, building, data, *, environ_base=None, **extra):
    """A report filled in screen by screen after the first, then sent."""
    for step in ("details", "contact"):
        went = post(client, building, step, data, environ_base=environ_base)
        assert went.status_code == 302, went.get_data(as_text=True)
        data = {name: value for name, value in data.items() if name != "photos"}  # sent once
    return post(client, building, "check", {}, environ_base=environ_base, **extra)


def screen(client, response, headers=EN) -> str:
    """The screen a sent screen redirects to."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"], headers=headers).get_data(as_text=True)


def test_the_report_goes_screen_by_screen_and_keeps_every_answer(client, session, tree, staff):
    url = f"/b/{tree.building.public_code}/report"
    first = client.get(url, headers=EN)
    body = first.get_data(as_text=True)
    assert "What kind of problem is it?" in body and "The stairwell light is out" in body
    # The first screen is sent by GET: nothing to check a token against, no session begun.
    assert '<form method="get" action="' + url in body and "csrf_token" not in body
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == "public, max-age=60"
    nothing = client.get(url + "?step=item&all=1", headers=EN)
    body = nothing.get_data(as_text=True)
    assert "Choose what kind of problem it is." in body and "There is a problem" in body
    assert "Set-Cookie" not in nothing.headers and "Cache-Control" not in nothing.headers
    corridor = answers(session)["item"]
    second = client.get(f"{url}?step=item&item={corridor}", headers=EN)
    body = second.get_data(as_text=True)
    assert "What happened?" in body and f'name="item" type="hidden" value="{corridor}"' in body
    assert "portal_session=" in second.headers["Set-Cookie"] and 'name="csrf_token"' in body
    data = answers(session)

    # Each screen sent is kept, then followed by the next screen at its own address.
    for too_little in ("", " 漏 "):
        body = screen(
            client, post(client, tree.building, "details", data | {"description": too_little})
        )
        assert "Say what happened, in a few words." in body, too_little
    missing = post(client, tree.building, "details", data | {"description": ""})
    assert missing.headers["Location"] == f"{url}?step=details"
    body = screen(client, missing)
    assert "Say what happened, in a few words." in body
    assert 'value="2单元3楼"' in body, "the other answers stay"
    went = post(client, tree.building, "details", data)
    assert went.headers["Location"] == f"{url}?step=contact"
    body = screen(client, went)
    assert "How can we reach you?" in body and "Enter your mobile number" not in body
    body = screen(client, post(client, tree.building, "contact", data | {"phone": "138"}))
    assert "11-digit mainland mobile number" in body and 'value="138"' in body

    went = post(client, tree.building, "contact", data)
    assert went.headers["Location"] == f"{url}?step=check"
    body = screen(client, went)
    assert "Check your answers" in body and "三楼楼道堆满纸箱" in body and "137 1234 5678" in body
    body = screen(client, post(client, tree.building, "check", {}, change="details"))
    assert "What happened?" in body and "三楼楼道堆满纸箱，挡住了路</textarea>" in body
    # Back from the second screen: the kinds, with the one chosen still marked.
    back = post(client, tree.building, "details", data, back="1")
    assert back.headers["Location"] == f"{url}?all=1"
    body = client.get(back.headers["Location"], headers=EN).get_data(as_text=True)
    assert f'id="item-{corridor}" value="{corridor}" checked' in body

    sent = post(client, tree.building, "check", {})
    assert sent.status_code == 302
    appeal = session.scalars(select(Appeal)).one()
    assert sent.headers["Location"] == f"/t/{appeal.tracking}/confirm"
    assert appeal.state == AppealState.UNCONFIRMED and appeal.phone == RESIDENT
    # A double tap on Send, or Back to the last screen, files nothing more.
    again = post(client, tree.building, "check", {})
    assert again.headers["Location"] == sent.headers["Location"]
    back_again = client.get(f"{url}?step=check", headers=EN)
    assert back_again.headers["Location"] == sent.headers["Location"]
    assert len(session.scalars(select(Appeal)).all()) == 1

    # A wrong code is said on the page a GET opens: reloading it spends no try.
    wrong = client.post(sent.headers["Location"], data={"code": "000000"}, headers=EN)
    assert wrong.headers["Location"] == sent.headers["Location"]
    body = screen(client, wrong)
    assert "The code is not right. You can try 4 more times." in body
    body = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert "The code is not right" not in body, "said once"
    done = client.post(sent.headers["Location"], data={"code": code_sent(session, RESIDENT)})
    assert done.headers["Location"] == f"/t/{appeal.tracking}/received"
    body = client.get(done.headers["Location"], headers=EN).get_data(as_text=True)
    assert appeal.tracking in body and "What happens next" in body
    resolve_by = format_moment(appeal.resolve_due_at, "en", SHANGHAI)
    assert f"We aim to resolve it by {resolve_by}" in body


@pytest.mark.parametrize(
    ("language", "locale", "promise"),
    [("zh-CN", "zh_Hans_CN", "预计办结时间：{}前"), ("en", "en", "We aim to resolve it by {}")],
)
def test_the_tracking_page_says_by_when_it_should_be_resolved(
    client, session, tree, now, language, locale, promise
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    page = client.get(f"/t/{appeal.tracking}", headers={"Accept-Language": language})
    # What will happen by when: "已办结 …前" read as already resolved.
    expected = promise.format(format_moment(appeal.resolve_due_at, locale, SHANGHAI))
    assert expected in page.get_data(as_text=True)


def test_the_form_offers_the_catalogue_as_edited_once_its_copy_is_old(client, session, tree, app):
    """An edit made by another process shows once this one's copy is older than
    CATALOGUE_REFRESH_SECONDS (test_offered.py times it; here it has passed at once)."""
    url = f"/b/{tree.building.public_code}/report?all=1"
    assert "Rubbish left in the stairwell" in client.get(url, headers=EN).get_data(True)
    corridor = item(session, "rubbish-in-corridor")
    corridor.name_en = "Things left in the stairwell"
    session.flush()
    kept = client.get(url, headers=EN).get_data(as_text=True)
    assert "Rubbish left in the stairwell" in kept
    catalogue = app.extensions["portal.offered_catalogue"]
    refresh, catalogue.refresh_seconds = catalogue.refresh_seconds, 0
    try:
        body = client.get(url, headers=EN).get_data(as_text=True)
    finally:
        catalogue.refresh_seconds = refresh
    assert "Things left in the stairwell" in body and "Rubbish left in the stairwell" not in body


def test_a_photo_is_stripped_of_its_location_and_kept_when_another_field_is_wrong(
    client, session, tree, staff, app
):
    data = answers(session) | {"description": ""}
    data["photos"] = (io.BytesIO(photo_with_location()), "IMG_0001.jpg")
    body = screen(client, post(client, tree.building, "details", data))
    assert "Say what happened" in body and "1 photo added." in body

    send(client, tree.building, answers(session))
    appeal = session.scalars(select(Appeal)).one()
    [photo] = appeal.photos
    client.post(f"/t/{appeal.tracking}/confirm", data={"code": code_sent(session, RESIDENT)})
    served = client.get(f"/t/{appeal.tracking}/photos/{photo.file_name}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert not Image.open(io.BytesIO(served.data)).getexif()
    assert b"Exif" not in served.data
    served.close()
    sign_in_staff(client, staff.grid_worker)
    staff_copy = client.get(f"/staff/appeals/{appeal.tracking}/photos/{photo.file_name}")
    assert staff_copy.status_code == 200
    staff_copy.close()
    sign_in_staff(client, staff.other_grid_worker)
    assert (
        client.get(f"/staff/appeals/{appeal.tracking}/photos/{photo.file_name}").status_code == 404
    )


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_typed_is_lost(client, session, tree):
    data = answers(session)
    data["photos"] = (io.BytesIO(b"<?php system($_GET['c']); ?>"), "photo.jpg")
    body = screen(client, post(client, tree.building, "details", data))
    assert "not a photo" in body and "三楼楼道堆满纸箱，挡住了路</textarea>" in body
    assert "How can we reach you?" not in body


def test_an_oversized_upload_gets_the_413_page(client, session, tree, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    # A raw body: the test client would otherwise spool a file it never closes.
    response = client.post(
        f"/b/{tree.building.public_code}/report",
        data=b"-" * (2 * 1024 * 1024),
        content_type="multipart/form-data; boundary=xyz",
        headers=EN,
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True).lower()


def test_the_honeypot_saves_nothing(client, session, tree):
    response = post(client, tree.building, "details", answers(session), website="http://spam")
    assert response.status_code == 400
    assert session.scalar(select(Appeal.id)) is None


def test_too_many_reports_from_one_phone_are_refused_kindly(client, session, tree, app):
    for _ in range(10):
        send(client, tree.building, answers(session))
    response = send(client, tree.building, answers(session))
    assert response.status_code == 429
    assert "Too many reports were sent from here" in response.get_data(as_text=True)
    assert len(session.scalars(select(Appeal)).all()) == 10


def test_the_tracking_page_shows_personal_detail_only_after_the_last_four_digits(
    client, session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now, description="我家门口漏水严重")
    session.commit()
    body = client.get(f"/t/{appeal.tracking.lower()}", headers=EN).get_data(as_text=True)
    assert "Received" in body and "我家门口漏水严重" not in body and "5678" not in body
    wrong = client.post(f"/t/{appeal.tracking}", data={"digits": "1111"}, headers=EN)
    assert "These are not the last 4 digits" in wrong.get_data(as_text=True)
    right = client.post(f"/t/{appeal.tracking}", data={"digits": "5678"})
    assert right.status_code == 302
    assert "我家门口漏水严重" in client.get(f"/t/{appeal.tracking}").get_data(as_text=True)
    assert client.get("/t/A2611-ZZZZ", headers=EN).status_code == 404


def test_a_stranger_cannot_rate_or_see_photos(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    assert (
        client.post(f"/t/{appeal.tracking}/review", data={"rating": "satisfied"}).status_code == 403
    )
    assert client.get(f"/t/{appeal.tracking}/photos/{'a' * 32}.jpg").status_code == 404


def test_staff_take_resolve_and_the_resident_rates_over_http(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.grid_worker)
    queue = client.get("/staff/appeals", headers=EN).get_data(as_text=True)
    assert appeal.tracking in queue and "Overdue by" in queue
    page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "137****5678" in page and RESIDENT not in page
    assert client.post(f"/staff/appeals/{appeal.tracking}/accept").status_code == 302
    assert messages(session, "appeal_accepted", RESIDENT)
    shown = client.post(f"/staff/appeals/{appeal.tracking}/reveal", headers=EN)
    assert "137 1234 5678" in shown.get_data(as_text=True)
    refused = client.post(
        f"/staff/appeals/{appeal.tracking}/resolve", data={"note": ""}, headers=EN
    )
    assert refused.status_code == 400 and "Say what was done" in refused.get_data(as_text=True)
    client.post(f"/staff/appeals/{appeal.tracking}/resolve", data={"note": "已清理"})
    assert session.get(Appeal, appeal.id).state == AppealState.RESOLVED

    client.post("/sign-out")
    proved = client.post(f"/t/{appeal.tracking}", data={"digits": "5678"}, headers=EN)
    assert proved.status_code == 302
    rated = client.post(f"/t/{appeal.tracking}/review", data={"rating": "dissatisfied"})
    assert rated.status_code == 302, rated.get_data(as_text=True)[-2500:]
    reopened = session.get(Appeal, appeal.id)
    session.refresh(reopened)
    assert reopened.state == AppealState.REOPENED and reopened.queue_place_id == tree.community.id


def test_a_grid_worker_of_another_grid_is_refused(client, session, tree, staff, now):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    sign_in_staff(client, staff.other_grid_worker)
    # Answered as a number that does not exist: see test_staff_lookups.py.
    assert client.get(f"/staff/appeals/{appeal.tracking}").status_code == 404
    assert client.post(f"/staff/appeals/{appeal.tracking}/accept").status_code == 404
    assert client.post(f"/staff/appeals/{appeal.tracking}/reveal").status_code == 404
    assert session.get(Appeal, appeal.id).state == AppealState.RECEIVED
    assert appeal.tracking not in client.get("/staff/appeals").get_data(as_text=True)


def test_residents_are_sent_away_from_the_staff_queue(client, session, tree, sms):
    from tests.accounts.test_views import sign_in_by_sms

    sign_in_by_sms(client, sms, "13611112222")
    assert client.get("/staff/appeals").status_code == 403
    assert client.get("/my/appeals").status_code == 200


def test_each_screen_shows_only_its_own_mistakes_and_back_never_asks(client, session, tree):
    data = answers(session)
    url = f"/b/{tree.building.public_code}/report"
    body = client.get(f"{url}?step=item&item={data['item']}", headers=EN).get_data(True)
    assert "What happened?" in body and "There is a problem" not in body
    post(client, tree.building, "details", data)
    back = post(client, tree.building, "contact", data | {"phone": ""}, back="1")
    body = screen(client, back)
    assert "What happened?" in body and "Enter your mobile number" not in body
    assert back.headers["Location"] == f"{url}?step=details"
    # A later screen opened before an earlier one is answered leads to that one.
    skipped = client.get(f"{url}?step=check", headers=EN)
    assert skipped.headers["Location"] == f"{url}?step=contact"
    first = screen(client, post(client, tree.building, "details", data, back="1"))
    assert "What kind of problem is it?" in first and "Choose what kind" not in first


def test_a_report_begun_a_day_ago_starts_again_with_a_word(client, session, tree, now):
    from portal.drafts.models import Draft

    data = answers(session)
    post(client, tree.building, "details", data)
    draft = session.scalars(select(Draft)).one()
    draft.updated_at = utcnow() - timedelta(hours=25)
    session.commit()
    url = f"/b/{tree.building.public_code}/report"
    later = client.get(f"{url}?step=contact", headers=EN)
    assert later.headers["Location"] == url
    body = client.get(url, headers=EN).get_data(as_text=True)
    assert "Unfinished reports are kept for a day" in body


def test_a_photo_name_from_elsewhere_is_never_attached(client, session, tree, app):
    """Photos reach a report only through its own draft: a name sent in the form, even one
    of a real upload waiting for its report, is not taken."""
    name = factories.upload(session, store(app), created_at=utcnow()).name
    session.commit()
    sent = send(client, tree.building, answers(session) | {"photos_kept": name, "photos": name})
    assert sent.status_code == 302
    assert session.scalar(select(Appeal.id))
    assert session.scalars(select(AppealPhoto)).all() == []


def test_the_screens_a_get_opens_only_read_and_sending_is_one_transaction(fresh_app):
    """The first screens only read, on SQLite in transactions that never take the write lock;
    the report itself is saved in one transaction, all or nothing, on both databases: on
    PostgreSQL by one statement, the appeal with its event, its SMS code and its SMS."""
    app = fresh_app(migrate=True)
    with app.app_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        db.session.commit()
        code, kind = tree.building.public_code, item(db.session, "rubbish-in-corridor").id
    engine = app.extensions["portal.db"].engine
    seen: list[bool] = []
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(connection, _cursor, statement: str, *_args) -> None:
        statements.append(statement)
        if statement.startswith("BEGIN"):  # SQLite's own, sent as the transaction begins
            return
        driver = connection.connection.dbapi_connection
        postgres = engine.dialect.name == "postgresql"
        seen.append(not driver.autocommit if postgres else driver.in_transaction)

    client = app.test_client()
    url = f"/b/{code}/report"
    assert client.get(url).status_code == 200
    second = client.get(f"{url}?step=item&item={kind}")
    assert second.status_code == 200
    assert seen, "the screens read the door and the catalogue"
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [s for s in statements if s.lstrip().upper().startswith(writes)]
    if engine.dialect.name == "sqlite":
        begun = [s for s in statements if s.startswith("BEGIN")]
        assert begun and set(begun) == {"BEGIN DEFERRED"}, "reads never wait for the write lock"
    post_screen = {"item": kind, "description": "楼道有垃圾", "phone": RESIDENT}
    for step in ("details", "contact"):
        assert client.post(url, data={"step": step, **post_screen}).status_code == 302
    seen.clear()
    statements.clear()
    sent = client.post(url, data={"step": "check"})
    assert sent.status_code == 302 and "/confirm" in sent.headers["Location"]
    assert seen and all(seen), "every statement of the send in a transaction"
    written = [s for s in statements if s.lstrip().upper().startswith((*writes, "WITH"))]
    tables = ["appeals", "appeal_events", "phone_codes", "sms_messages"]
    # Then, in the same transaction, the draft is marked sent (its answers gone).
    assert written[-1].startswith("UPDATE form_drafts ")
    if engine.dialect.name == "postgresql":
        assert len(written) == 2, written
        assert all(f"INSERT INTO {table} " in written[0] for table in tables)
    else:
        assert [statement.split()[2] for statement in written[:-1]] == tables


def fewer_codes(monkeypatch, **limits) -> None:
    """Lower the report code's limits per address or per building, as the views count them."""
    from portal.appeals import services

    monkeypatch.setattr(services, "APPEAL_CODE", replace(services.APPEAL_CODE, **limits))


def test_past_the_buildings_code_limit_no_more_codes_are_sent_there(
    client, session, tree, monkeypatch
):
    """Strangers at many addresses cannot make one building's form text numbers of their
    choosing without end; what was typed stays, and another building is not affected."""
    fewer_codes(monkeypatch, per_building="2/hour")
    for n, phone in enumerate(["13712345678", "13698765432"]):
        sent = send(client, tree.building, answers(session, phone=phone),
                    environ_base={"REMOTE_ADDR": f"10.2.0.{n}"})  # fmt: skip
        assert sent.status_code == 302
    refused = send(client, tree.building, answers(session, phone="13611112222"),
                   environ_base={"REMOTE_ADDR": "10.2.0.3"})  # fmt: skip
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many codes were asked for at this building" in body
    assert "三楼楼道堆满纸箱，挡住了路" in body and "13611112222" in body
    assert len(session.scalars(select(Appeal)).all()) == 2
    assert len(messages(session, "appeal_code")) == 2
    elsewhere = send(client, tree.other_building, answers(session, phone="13611112222"),
                     environ_base={"REMOTE_ADDR": "10.2.0.3"})  # fmt: skip
    assert elsewhere.status_code == 302


def test_asking_for_a_new_code_counts_towards_the_addresss_codes(
    client, session, tree, monkeypatch
):
    fewer_codes(monkeypatch, per_address="1/hour")
    sent = send(client, tree.building, answers(session))
    assert sent.status_code == 302
    page = client.post(sent.headers["Location"], data={"resend": "1"}, headers=EN)
    assert "Too many codes were asked for from here" in page.get_data(as_text=True)
    assert len(messages(session, "appeal_code")) == 1


def test_reports_that_need_no_code_are_not_counted_as_codes(
    client, session, tree, monkeypatch, sms
):
    """A resident signed in with the number reporting several things is never refused for
    codes they were not sent."""
    from tests.accounts.test_views import sign_in_by_sms

    fewer_codes(monkeypatch, per_address="1/hour")
    sign_in_by_sms(client, sms, RESIDENT)
    for _ in range(3):
        sent = send(client, tree.building, answers(session, phone=RESIDENT))
        assert sent.status_code == 302 and "/received" in sent.headers["Location"]
    assert messages(session, "appeal_code") == []


def test_the_confirm_page_keeps_a_typed_code_and_gives_the_communitys_number(client, session, tree):
    """A resident who asks for a new code too early keeps what they typed; one whose SMS does
    not come, or who was sent too many, has the community's number to call."""
    tree.community.phone = "0755-2345 6601"
    session.commit()
    sent = send(client, tree.building, answers(session))
    assert sent.status_code == 302
    page = client.get(sent.headers["Location"], headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "The code works for 10 minutes." in page
    assert "0755-2345 6601" in page and 'href="tel:' in page
    too_early = client.post(
        sent.headers["Location"], data={"resend": "1", "code": "12345"}, headers=EN
    )
    body = too_early.get_data(as_text=True)
    assert "less than a minute ago" in body
    assert 'value="12345"' in body
    # A wait, not a mistake: said as a notice, without "There is a problem".
    assert "There is a problem" not in body
    assert '<div class="flash flash--info" role="status">A code was sent less' in body


def test_no_new_code_is_offered_once_the_report_has_had_all_its_codes(
    client, session, tree, monkeypatch
):
    from portal.appeals.services import intake

    fewer = replace(intake.APPEAL_CODE, per_window=2, resend_after=timedelta(0))
    monkeypatch.setattr(intake, "APPEAL_CODE", fewer)
    sent = send(client, tree.building, answers(session))
    page = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert 'name="resend"' in page
    again = client.post(sent.headers["Location"], data={"resend": "1"}, headers=EN)
    page = client.get(again.headers["Location"], headers=EN).get_data(as_text=True)
    assert 'name="resend"' not in page
    assert "No more codes can be sent for this report" in page


def test_the_residents_page_leaves_out_codes_sent_again_which_staff_see(
    client, session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now, confirm=False)
    services.resend_code(
        session, appeal, now=now + timedelta(minutes=2), settings=current_settings()
    )
    services.confirm(
        session, appeal, code_sent(session, RESIDENT), now=now + timedelta(minutes=3),
        settings=current_settings(),
    )  # fmt: skip
    session.commit()
    client.post(f"/t/{appeal.tracking}", data={"digits": RESIDENT[-4:]})
    page = client.get(f"/t/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "A new code was sent" not in page and "Received" in page
    sign_in_staff(client, staff.grid_worker)
    page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "A new code was sent" in page


def test_after_not_satisfied_the_resident_reads_their_comment_and_the_new_deadline(
    client, session, tree, staff, now
):
    appeal = file_appeal(session, tree.building, now)
    services.accept(session, staff.grid_worker, appeal, now=now)
    services.resolve(
        session, staff.grid_worker, appeal, "已清理", now=now, settings=current_settings()
    )
    first_deadline = appeal.resolve_due_at
    later = now + timedelta(days=2)
    services.review(
        session,
        appeal,
        "dissatisfied",
        "楼道里还有两袋没清走。",
        now=later,
        settings=current_settings(),
    )
    session.commit()
    assert appeal.resolve_due_at != first_deadline
    client.post(f"/t/{appeal.tracking}", data={"digits": RESIDENT[-4:]})
    page = client.get(f"/t/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "You wrote: 楼道里还有两袋没清走。" in page
    new_deadline = format_moment(appeal.resolve_due_at, "en", SHANGHAI)
    assert f"We aim to resolve it by {new_deadline}" in page
    assert format_moment(first_deadline, "en", SHANGHAI) not in page
