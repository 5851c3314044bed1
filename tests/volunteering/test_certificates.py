"""A volunteer's certificate: only confirmed hours, masked on the paper and on /v/<code>, issued
again only when the record changes, and readable back from its PDF's QR code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.errors import Forbidden, Invalid
from portal.permissions import Role
from portal.verification.models import IssuedDocument
from portal.volunteering import certificates
from portal.volunteering.models import SignUp, SignUpState, VolunteerState
from tests import factories
from tests.accounts.test_views import sign_in_by_sms
from tests.qr import decode, pdf_page_images, pdf_text

NOW = datetime(2026, 12, 4, 8, tzinfo=UTC)


def served(
    session, volunteer, community, *, minutes, days_ago=3, title="陪伴独居老人", confirmed=True
):
    made = factories.activity(
        session, community, starts_at=NOW - timedelta(days=days_ago), hours=3, title=title
    )
    sign_up = SignUp(
        activity=made, volunteer=volunteer, state=SignUpState.SEATED,
        signed_up_at=NOW - timedelta(days=days_ago + 1),
        confirmed_minutes=minutes if confirmed else None,
        confirmed_at=NOW - timedelta(days=days_ago) if confirmed else None,
    )  # fmt: skip
    session.add(sign_up)
    session.flush()
    return sign_up


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def volunteer(session, tree):
    return factories.volunteer(session, tree.community, name="张三丰")


def test_only_confirmed_hours_count(session, tree, volunteer):
    served(session, volunteer, tree.community, minutes=90, days_ago=5)
    served(session, volunteer, tree.community, minutes=150, days_ago=2)
    served(session, volunteer, tree.community, minutes=120, confirmed=False)
    record = certificates.record_of(session, volunteer)
    assert [each.minutes for each in record.served] == [90, 150]
    assert record.minutes == 240


def test_the_certificate_masks_the_name_and_the_id_number(session, tree, volunteer, app_context):
    served(session, volunteer, tree.community, minutes=90)
    document, _record = certificates.certify(session, volunteer.user, volunteer, now=NOW)
    assert document.facts["volunteer"] == "张*丰"
    assert document.facts["id_number"].startswith(factories.whole_id_number(volunteer)[:4])
    assert factories.whole_id_number(volunteer) not in str(document.facts)
    assert document.facts["minutes"] == 90 and document.place == tree.community


def test_a_certificate_is_issued_again_only_when_the_record_changed(
    session, tree, volunteer, app_context
):
    served(session, volunteer, tree.community, minutes=90)
    first, _ = certificates.certify(session, volunteer.user, volunteer, now=NOW)
    again, _ = certificates.certify(session, volunteer.user, volunteer, now=NOW)
    assert again.id == first.id
    served(session, volunteer, tree.community, minutes=60, days_ago=1)
    later, _ = certificates.certify(session, volunteer.user, volunteer, now=NOW)
    assert later.id != first.id and later.facts["minutes"] == 150
    assert session.query(IssuedDocument).count() == 2


def test_only_the_volunteer_and_their_coordinators_get_it(session, tree, volunteer, app_context):
    stranger = factories.user(session)
    with pytest.raises(Forbidden):
        certificates.certify(session, stranger, volunteer, now=NOW)
    other = factories.place(session, tree.street, "别的社区")
    elsewhere = factories.user(session, Role.COORDINATOR, other)
    with pytest.raises(Forbidden):
        certificates.current_certificate(session, elsewhere, volunteer)
    coordinator = factories.user(session, Role.COORDINATOR, tree.community)
    with pytest.raises(Invalid, match="once some of your hours are confirmed"):
        certificates.certify(session, coordinator, volunteer, now=NOW)
    served(session, volunteer, tree.community, minutes=60)
    document, _ = certificates.certify(session, coordinator, volunteer, now=NOW)
    assert document.facts["activities"] == 1


def test_an_applicant_not_yet_approved_gets_none(session, tree, app_context):
    waiting = factories.volunteer(session, tree.community, state=VolunteerState.APPLIED)
    with pytest.raises(Invalid):
        certificates.certify(session, waiting.user, waiting, now=NOW)


def test_the_volunteer_gets_a_pdf_whose_qr_code_opens_the_verification_page(
    app, session, client, sms, tree, volunteer, tmp_path
):
    served(session, volunteer, tree.community, minutes=150, title="助餐送饭")
    sign_in_by_sms(client, sms, volunteer.user.phone)
    page = client.get("/volunteering/certificate")
    assert page.status_code == 200 and "2.5" in page.text and "助餐送饭" in page.text
    assert client.get("/volunteering/certificate.pdf").status_code == 302  # none issued yet
    assert client.post("/volunteering/certificate", data={}).status_code == 302
    pdf = client.get("/volunteering/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.data)
    text = pdf_text(path)
    # The paper is the volunteer's own: it names them whole, and masks the ID number.
    assert (
        "张三丰" in text and factories.whole_id_number(volunteer) not in text and "助餐送饭" in text
    )
    [url] = decode(pdf_page_images(path, 1, 1, dpi=150)[0])
    # Whoever holds the paper: a phone that never signed in.
    verified = app.test_client().get("/" + url.split("/", 3)[3])
    assert verified.status_code == 200
    assert "张*丰" in verified.text and "2.5" in verified.text
    assert (
        factories.whole_id_number(volunteer) not in verified.text and "张三丰" not in verified.text
    )


def test_someone_who_is_not_a_volunteer_is_told_so(session, client, sms):
    sign_in_by_sms(client, sms, factories.user(session).phone)
    assert client.get("/volunteering/certificate").status_code == 404


def test_whoever_recorded_hours_certifies_them_each_community_with_its_share(
    app, session, client, sms, tree, volunteer, tmp_path
):
    # 谁记录谁证明: two hours at a neighbouring community's activity are certified as its own.
    neighbour = factories.place(session, tree.street, "乙社区")
    served(session, volunteer, tree.community, minutes=90, days_ago=5, title="助餐送饭")
    served(session, volunteer, neighbour, minutes=120, days_ago=2, title="河道清洁")
    record = certificates.record_of(session, volunteer)
    assert [(each.place_id, each.minutes) for each in record.recorders] == [
        (tree.community.id, 90),
        (neighbour.id, 120),
    ], "the volunteer's own community first"
    sign_in_by_sms(client, sms, volunteer.user.phone)
    client.post("/volunteering/certificate", data={})
    page = client.get("/volunteering/certificate").text
    assert f"{tree.community.name_zh} 1.5小时；乙社区 2小时" in page
    assert "河道清洁" in page and "· 乙社区" in page
    path = tmp_path / "certificate.pdf"
    path.write_bytes(client.get("/volunteering/certificate.pdf").data)
    assert "乙社区 2小时" in pdf_text(path)
    [url] = decode(pdf_page_images(path, 1, 1, dpi=150)[0])
    verified = app.test_client().get("/" + url.split("/", 3)[3]).text
    assert f"{tree.community.name_zh} 1.5小时；乙社区 2小时" in verified


def test_one_community_s_certificate_names_it_alone(session, tree, volunteer, app_context):
    served(session, volunteer, tree.community, minutes=60)
    document, _ = certificates.certify(session, volunteer.user, volunteer, now=NOW)
    record = certificates.record_of(session, volunteer)
    assert document.facts["recorded_by"] == [
        [tree.community.name_zh, tree.community.name_en or "", 60]
    ]
    named = certificates.recorders_text(document.facts["recorded_by"])
    assert named in (tree.community.name_zh, tree.community.name_en), "the name, no hours"
    assert record.recorder_of(record.served[0]) == ""


def test_the_page_lists_the_latest_fifty_and_the_certificate_counts_them_all(
    session, client, sms, tree, volunteer
):
    for day in range(51):
        served(
            session, volunteer, tree.community, minutes=30, days_ago=60 - day, title=f"第{day}次"
        )
    listed = certificates.record_of(session, volunteer, latest=50)
    assert len(listed.served) == 50 and listed.served[0].title == "第1次", "oldest first"
    assert listed.activities == 51 and listed.minutes == 51 * 30
    every = certificates.record_of(session, volunteer)
    assert len(every.served) == 51 and every.facts(volunteer) == listed.facts(volunteer)
    assert listed.first == (NOW - timedelta(days=60)).date()
    sign_in_by_sms(client, sms, volunteer.user.phone)
    page = client.get("/volunteering/certificate").text
    assert "第50次" in page and "第0次" not in page and "51" in page
