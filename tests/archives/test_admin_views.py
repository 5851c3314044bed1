"""The administrators' pages of archives and kinds of record over HTTP: what is typed is kept
when refused, each mistake beside its field, the seal sent as a file, and who may open them."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from portal.archives.models import Archive, ArchiveMember, RecordKind
from portal.demo.archives import seal_image
from portal.permissions import Role
from portal.uploads.models import Upload
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_staff
from tests.archives import helpers

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def world(session):
    made = helpers.world(session)
    session.commit()
    return made


@pytest.fixture
def admin_client(client, session, world):
    """A district administrator, signed in."""
    sign_in_staff(client, factories.user(session, Role.ADMIN, world.tree.district))
    return client


def errors(body: str) -> list[str]:
    return [
        html.unescape(re.sub(r"<[^>]+>|\s+", " ", found).replace("Error:", "").strip())
        for found in re.findall(r'class="field-error"[^>]*>(.*?)</p>', body, re.S)
    ]


def test_an_archive_is_added_with_what_was_typed_kept_when_refused(admin_client, session, world):
    form = page(admin_client, "/archives/admin/archives/new")
    assert f'<option value="{world.tree.other_street.id}">' in form
    assert f'<option value="{world.tree.community.id}">' not in form
    assert f'<option value="{world.elsewhere_archive.place_id}">' not in form
    typed = {
        "code": "district-archive", "place_id": str(world.tree.other_street.id),
        "name_zh": "第二街道档案室", "name_en": "Second Street Records Room",
        "address_zh": "", "address_en": "Second Street Office", "phone": "0755-2345 6789",
    }  # fmt: skip
    response = admin_client.post("/archives/admin/archives/new", data=typed, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors(body) == [
        "Another archive already has this code.",
        "Enter where residents pick up results on paper, in Chinese.",
    ]
    assert f'<option selected value="{world.tree.other_street.id}">' in body
    assert 'value="第二街道档案室"' in body and 'value="Second Street Office"' in body

    chinese = admin_client.post("/archives/admin/archives/new", data=typed, headers=ZH)
    assert "已有档案馆使用这个编码" in chinese.get_data(as_text=True)

    typed |= {"code": "second-street", "address_zh": "第二街道办事处一楼"}
    response = admin_client.post("/archives/admin/archives/new", data=typed, headers=EN)
    assert response.headers["Location"] == "/archives/admin/archives/second-street#members"
    listed = page(admin_client, "/archives/admin/archives")
    assert "Second Street Records Room" in listed and "Nobody works its queue" in listed


def test_archivists_are_added_by_phone_and_removed(admin_client, session, world):
    url = f"/archives/admin/archives/{world.archive.code}"
    body = page(admin_client, url)
    assert 'id="member-phone"' in body and 'id="phone"' in body  # two forms, no id twice
    assert 'inputmode="numeric"' in body

    response = admin_client.post(f"{url}/members", data={"member-phone": world.street_archivist.phone},
                                 headers=EN)  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors(body) == [
        "This account does not hold the archivist's role for the street or district this "
        "archive serves. Give it the role there first, under Staff accounts."
    ]
    assert f'value="{world.street_archivist.phone}"' in body and '<a href="#member-phone">' in body

    newcomer = factories.user(session, Role.ARCHIVIST, world.tree.district, name="新档案员")
    session.commit()
    response = admin_client.post(f"{url}/members", data={"member-phone": newcomer.phone},
                                 headers=EN)  # fmt: skip
    assert response.headers["Location"] == f"{url}#members"
    assert "新档案员 works this archive now." in page(admin_client, url)
    assert session.get(ArchiveMember, (world.archive.id, newcomer.id)) is not None

    response = admin_client.post(f"{url}/members/{newcomer.id}/remove", headers=EN)
    assert response.headers["Location"] == f"{url}#members"
    assert session.get(ArchiveMember, (world.archive.id, newcomer.id)) is None


def test_the_kinds_kept_are_ticked_and_saved(admin_client, session, world):
    url = f"/archives/admin/archives/{world.street_archive.code}"
    marriage, land = helpers.kind(session, "marriage"), helpers.kind(session, "land")
    body = page(admin_client, url)
    assert (
        f'<input checked id="kinds-kinds-0" name="kinds-kinds" type="checkbox" value="{marriage.id}">'
        in body
    )
    response = admin_client.post(f"{url}/kinds", data={"kinds-kinds": [str(marriage.id), str(land.id)]},
                                 headers=EN)  # fmt: skip
    assert response.headers["Location"] == f"{url}#kinds"
    body = page(admin_client, url)
    assert (
        f'<input checked id="kinds-kinds-9" name="kinds-kinds" type="checkbox" value="{land.id}">'
        in body
    )
    response = admin_client.post(f"{url}/kinds", data={"kinds-kinds": ["abc"]}, headers=EN)
    assert response.status_code == 400
    assert errors(response.get_data(as_text=True)) == ["Choose among the kinds of record listed."]


def _file(data: bytes, name: str) -> dict:
    return {"seal-seal": (io.BytesIO(data), name)}


def test_the_seal_is_uploaded_shown_and_replaced(admin_client, session, world):
    url = f"/archives/admin/archives/{world.archive.code}"
    assert admin_client.get(f"{url}/seal.jpg").status_code == 404
    assert "No seal yet" in page(admin_client, url)

    for data, name, message in (
        (b"%PDF-1.4 not a picture", "seal.pdf", "This file is not a photo."),
        (b"MZ\x90\x00 an executable", "seal.png", "This file is not a photo."),
    ):
        response = admin_client.post(f"{url}/seal", data=_file(data, name), headers=EN,
                                     content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 400
        assert errors(response.get_data(as_text=True))[0].startswith(message)
    response = admin_client.post(f"{url}/seal", data={}, headers=EN)
    assert errors(response.get_data(as_text=True)) == ["Choose the image of the seal."]
    assert session.scalar(select(Archive.seal_name).where(Archive.id == world.archive.id)) is None

    names = []
    for _ in range(2):
        response = admin_client.post(f"{url}/seal", data=_file(seal_image(200), "seal.png"),
                                     headers=EN, content_type="multipart/form-data")  # fmt: skip
        assert response.headers["Location"] == f"{url}#seal"
        names.append(
            session.scalar(select(Archive.seal_name).where(Archive.id == world.archive.id))
        )
    with admin_client.get(f"{url}/seal.jpg") as shown:
        assert shown.mimetype == "image/jpeg" and "no-store" in shown.headers["Cache-Control"]
        assert shown.get_data().startswith(b"\xff\xd8")
    owners = dict(
        session.execute(select(Upload.name, Upload.owner).where(Upload.name.in_(names))).all()
    )
    # The first seal stays kept: the letters issued with it still show it.
    assert owners == {
        names[0]: f"archives:{world.archive.id}",
        names[1]: f"archives:{world.archive.id}",
    }
    assert f'src="{url}/seal.jpg"' in page(admin_client, url)


def test_a_kind_is_added_with_its_checklist_and_what_was_ticked_kept_when_refused(
    admin, client, session
):
    sign_in_staff(client, admin)
    form = page(client, "/archives/admin/kinds/new")
    # A new kind starts from the usual checklist.
    assert '<input checked id="may_guardian" name="may_guardian" type="checkbox" value="y">' in form
    typed = {"code": "pension", "name_zh": "养老保险", "name_en": "Pension insurance",
             "may_agent": "y", "proofs_agent": [], "proofs_self": ["requester_id"]}  # fmt: skip
    response = client.post("/archives/admin/kinds/new", data=typed, headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors(body) == ["Choose at least one document for Agent, or do not let them ask."]
    assert '<input checked id="may_agent"' in body and '<input id="may_self"' in body
    assert 'value="养老保险"' in body

    typed |= {"may_self": "y", "proofs_agent": ["requester_id", "authorisation"]}
    response = client.post("/archives/admin/kinds/new", data=typed, headers=EN)
    assert response.headers["Location"] == "/archives/admin/kinds"
    made = session.scalar(select(RecordKind).where(RecordKind.code == "pension"))
    assert made.checklist == {"self": ["requester_id"],
                              "agent": ["requester_id", "authorisation"]}  # fmt: skip

    body = page(client, "/archives/admin/kinds/pension")
    assert 'checked id="offered"' in body
    assert (
        '<input checked id="proofs_agent-2" name="proofs_agent" type="checkbox" value="authorisation">'
        in body
    )
    response = client.post("/archives/admin/kinds/pension", data={"name_zh": "养老保险",
                           "name_en": "Pension insurance"}, headers=EN)  # fmt: skip
    assert response.status_code == 400
    assert "Let at least one kind of requester ask for it" in response.get_data(as_text=True)
    response = client.post("/archives/admin/kinds/pension", data={
        "name_zh": "养老保险", "name_en": "Pension", "may_self": "y",
        "proofs_self": ["requester_id"]}, headers=EN)  # fmt: skip
    assert response.headers["Location"] == "/archives/admin/kinds"
    session.refresh(made)
    assert made.is_active is False and made.name_en == "Pension"
    assert "No longer offered" in page(client, "/archives/admin/kinds")


def test_kinds_move_up_and_down(admin, client, session):
    sign_in_staff(client, admin)
    listed = page(client, "/archives/admin/kinds")
    second = re.findall(r'<li id="kind-([a-z0-9-]+)">', listed)[1]
    response = client.post(f"/archives/admin/kinds/{second}/up", headers=EN)
    assert response.headers["Location"] == f"/archives/admin/kinds#kind-{second}"
    assert (
        re.findall(r'<li id="kind-([a-z0-9-]+)">', page(client, "/archives/admin/kinds"))[0]
        == second
    )


@pytest.fixture
def admin(session):
    made = factories.user(session, Role.ADMIN, None, name="管理员")
    session.commit()
    return made


def test_who_may_not_open_the_pages_is_refused(client, session, world):
    other = factories.user(session, Role.ADMIN, world.elsewhere_archive.place)
    district_admin = factories.user(session, Role.ADMIN, world.tree.district)
    secretary = factories.user(session, Role.SECRETARY, world.tree.community)
    session.commit()
    url = f"/archives/admin/archives/{world.archive.code}"
    assert client.get(url).status_code == 302  # to sign in first
    for someone, refused in (
        (world.archivist, ["/archives/admin/archives", url, "/archives/admin/kinds"]),
        (secretary, ["/archives/admin/archives", "/archives/admin/archives/new"]),
        (other, [url, f"{url}/seal.jpg"]),
        # The kinds are the whole portal's: a district's administrator reads them nowhere.
        (district_admin, ["/archives/admin/kinds", "/archives/admin/kinds/marriage"]),
    ):
        sign_in_staff(client, someone)
        for address in refused:
            assert client.get(address, headers=EN).status_code == 403, (someone, address)
        client.post("/sign-out")
    sign_in_staff(client, other)
    response = client.post(f"{url}/members", data={"member-phone": world.second.phone}, headers=EN)
    assert response.status_code == 403
    response = client.post(f"{url}/seal", data=_file(seal_image(100), "seal.png"), headers=EN,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 403
    assert session.scalar(select(Upload.id).where(Upload.purpose == "archives.seal")) is None
    assert client.get("/archives/admin/archives/no-such-archive", headers=EN).status_code == 404
    listed = page(client, "/archives/admin/archives")
    assert "elsewhere-archive" in listed and "district-archive" not in listed


def test_an_archive_is_retired_and_brought_back(admin_client, session, world):
    url = f"/archives/admin/archives/{world.street_archive.code}"
    made = helpers.request(session, world, archive_=world.street_archive)
    session.commit()
    assert "It cannot be retired while 1 request is open" in page(admin_client, url)
    response = admin_client.post(f"{url}/retire", headers=EN, follow_redirects=True)
    assert "still has open requests" in response.get_data(as_text=True)
    made.closed_at = helpers.TUESDAY_10AM
    made.state = "refused"
    session.commit()
    admin_client.post(f"{url}/retire", headers=EN)
    assert session.scalar(select(Archive.retired_at).where(Archive.id == world.street_archive.id))
    body = page(admin_client, url)
    assert "Bring this archive back into use" in body and 'id="member-phone"' not in body
    admin_client.post(f"{url}/restore", headers=EN)
    assert "Retire this archive" in page(admin_client, url)
