"""What arrives hostile or odd in addresses and forms: control characters, ids no row can
have, page numbers that are not numbers, fields left out, and full-width digits in the
access log. Each is an answer in the reader's language, never a 500."""

from __future__ import annotations

import io
import itertools
import logging
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from portal.accounts.models import User
from portal.appeals.views.staff import FORM_ACTIONS
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.db import utcnow
from portal.permissions import SYSTEM, Role
from portal.units import services as units
from portal.uploads.web import store as upload_store
from portal.web.addresses import IdConverter
from tests import factories
from tests.accounts.test_views import EN, sign_in_by_sms, sign_in_staff
from tests.appeals.conftest import file_appeal, level_one_item
from tests.archives.stages import stages as archive_stages

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
HUGE = "99999999999999999999999"
BEYOND_INTEGER = str(2**31)


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(client, session):
    made = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, made)
    return made


@pytest.mark.parametrize(
    "url", ["/find?q=%00", "/find?q=a%1Bb", "/find?q%00=x", "/v?code=%7F", "/?next=%C2%85"]
)
def test_a_control_character_in_a_query_argument_is_a_400_page_that_says_so(client, url):
    english = client.get(url, headers=EN)
    assert english.status_code == 400
    assert "invisible control characters" in text(english)
    chinese = client.get(url, headers=ZH)
    assert chinese.status_code == 400 and "看不见的控制字符" in text(chinese)


@pytest.mark.parametrize("url", ["/t/%00", "/t/A2611%00", "/b/%01abc", "/v/%00"])
def test_a_control_character_in_the_path_is_not_found(client, url):
    assert client.get(url, headers=EN).status_code == 404


def test_a_control_character_typed_into_a_form_is_refused_on_its_field_and_kept(
    client, session, admin
):
    typed = {"phone": "13922223333", "display_name": "王\x00五", "role": "secretary",
             "place_code": "", "password": "a long temporary password"}  # fmt: skip
    for headers, message in ((EN, "invisible control characters"), (ZH, "看不见的控制字符")):
        response = client.post("/admin/users/new", data=typed, headers=headers)
        assert response.status_code == 200 and message in text(response)
        assert 'value="13922223333"' in text(response) and "王\x00五" in text(response)
    assert session.scalar(select(User).where(User.phone == "13922223333")) is None


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/users/{HUGE}",
        f"/admin/users/{BEYOND_INTEGER}",
        f"/admin/places/{HUGE}",
        f"/admin/places/{BEYOND_INTEGER}/edit",
        f"/admin/units/{HUGE}",
        f"/admin/catalogue/items/{HUGE}",
        "/admin/users/0",
        f"/archives/admin/archives/{HUGE}",
        "/archives/admin/archives/a%00b",
        f"/archives/admin/archives/{'x' * 5000}/seal.jpg",
        "/archives/admin/kinds/%EF%BC%91",
    ],
)
def test_an_id_no_row_can_have_is_not_found(client, admin, url):
    assert client.get(url, headers=EN).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/messages/{HUGE}/retry",
        f"/admin/users/{BEYOND_INTEGER}/disable",
        f"/archives/admin/archives/{HUGE}/retire",
        f"/archives/admin/kinds/{HUGE}/up",
    ],
)
def test_a_button_for_an_id_no_row_can_have_is_not_found(client, admin, url):
    assert client.post(url, headers=EN).status_code == 404


def test_an_id_typed_in_full_width_digits_is_read_as_its_number(client, admin):
    assert client.get(f"/admin/users/{''.join(chr(0xFF10 + int(d)) for d in str(admin.id))}",
                      headers=EN).status_code == 200  # fmt: skip


AUDIT_QUERIES = [
    f"actor={HUGE}", f"actor={BEYOND_INTEGER}", "actor=+8613800138000", "actor=１３８",
    "actor=²", "page=²", f"page={HUGE}", "page=-1", "page=１",
]  # fmt: skip


def test_the_audit_log_takes_any_actor_or_page_it_is_given(client, admin):
    for query in AUDIT_QUERIES:
        assert client.get(f"/admin/audit?{query}", headers=EN).status_code == 200, query


@pytest.mark.parametrize(
    "url", ["/admin/users", "/admin/messages", "/admin/places", "/admin/units",
            "/archives/admin/archives"]
)  # fmt: skip
def test_every_paged_list_takes_a_page_that_is_not_a_number(client, admin, url):
    for page in ("²", "١", HUGE, "0", "x"):
        assert client.get(f"{url}?page={page}", headers=EN).status_code == 200


@pytest.mark.parametrize("url", ["/admin/users", "/admin/messages"])
def test_a_search_form_sent_without_its_field_shows_the_whole_list(client, admin, url):
    response = client.post(url, data={}, headers=EN, follow_redirects=True)
    assert response.status_code == 200 and "admin" in text(response).lower()


def test_a_number_in_full_width_digits_is_masked_in_the_access_log(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    wide = "".join(chr(0xFF10 + int(digit)) for digit in "13733338888")
    encoded = urllib.request.quote(wide)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = f"http://127.0.0.1:{server.port}/no-such-page?phone={encoded}"
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(url)
            answer.value.close()
    finally:
        server.shutdown()
        thread.join()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/no-such-page?phone=137****8888" in line for line in lines), lines
    assert not any(encoded in line or "3333" in line for line in lines)


def test_every_id_in_an_address_is_read_by_the_one_parser(app):
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert rules
    assert all(
        isinstance(converter, IdConverter)
        for rule in rules
        for converter in rule._converters.values()
        if converter.regex == IdConverter.regex
    )


def test_every_form_sent_with_nothing_in_it_is_answered_without_a_500(app, client, session):
    """Only a CSRF token (CSRF is off in tests): no field may be read as if it were there."""
    tree = factories.tree(session)
    seed_catalogue(session)
    admin = factories.user(session, Role.ADMIN, None)
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    item = session.scalars(select(CatalogueItem)).first()
    unit = units.create_unit(
        session, SYSTEM, code="unit", place_id=tree.street.id, name_zh="单位", name_en="Unit",
        phone="", now=factories.EPOCH,
    )  # fmt: skip
    session.commit()
    with app.test_request_context():
        appeal = file_appeal(session, tree.building, utcnow(), item_id=level_one_item(session).id)
        activity = factories.activity(
            session, tree.community, starts_at=utcnow() + timedelta(days=3)
        )
        relative = factories.relative(
            session, factories.volunteer(session, tree.community), state="declared"
        )
        elder = factories.elder(session, tree.community)
        help_request = factories.help_request(
            session, elder, starts_at=utcnow() + timedelta(days=2)
        )
        member = factories.family_member(session, elder)
        session.commit()
    values = {
        "place_id": tree.grid.id, "district_id": tree.district.id,
        "parent_id": tree.community.id, "building_id": tree.building.id,
        "user_id": worker.id, "grant_id": worker.grants[0].id, "message_id": 1,
        "entry_id": 1, "summons_id": 1, "code": tree.building.public_code,
        "tracking": appeal.tracking, "group_id": item.group_id, "item_id": item.id,
        "unit_id": unit.id, "year": 2027, "reference": "M2345678", "schedule_id": 1,
        "host_id": worker.id, "closure_id": 1, "community_id": tree.community.id,
        "activity_id": activity.id, "sign_up_id": 1, "relative_id": relative.id,
        "volunteer_id": 1, "kind_id": 1, "elder_id": elder.id, "request_id": help_request.id,
        "member_id": member.id, "rule_id": 1, "award_id": 1, "objection_id": 1,
        "reward_id": 1, "order_id": 1, "topic_id": 1, "relation": "self",
        "community_code": tree.community.code,
        "snippet_id": 1,
        "faq_id": 1,
    }  # fmt: skip
    as_worker, stranger = app.test_client(), app.test_client()
    sign_in_staff(as_worker, worker)
    sign_in_staff(client, admin)
    reached = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule in ("/sign-out", "/sms/receipts"):
            continue
        for action in FORM_ACTIONS if "action" in rule.arguments else [None]:
            arguments = {name: values.get(name) for name in rule.arguments}
            url = rule.build({**arguments, "action": action}, append_unknown=False)[1]
            # Signing in starts a session of its own: those pages are sent by someone new.
            who = as_worker if action else stranger if "sign-in" in url else client
            response = who.post(url, data={}, headers=EN)
            assert response.status_code < 500, url
            reached += response.status_code in (200, 400)
    assert reached >= 20, "the forms were reached, not only the sign-in page"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/places/new", {"code": "D9\x00", "name_zh": "新区"}),
        ("/admin/places/new", {"code": "D9", "name_zh": "新\x1f区", "phone": "0755\x00"}),
        ("/admin/units/new", {"code": "u9", "name_zh": "单\x00位", "name_en": "Unit"}),
        ("/admin/catalogue/groups/new", {"code": "g9", "name_zh": "组\x00", "name_en": "G"}),
        ("/admin/workdays/2027", {"days": "2027-10-01 放假\x00"}),
        ("/account", {"display_name": "王\x00", "locale": ""}),
        ("/archives/admin/archives/new", {"code": "a9", "name_zh": "档\x00案馆"}),
        ("/archives/admin/archives/new", {"code": "a9", "address_zh": "档案路\x1b1号"}),
        ("/archives/admin/kinds/new", {"code": "k\x009", "name_zh": "类别", "name_en": "K"}),
    ],
)
def test_admin_forms_refuse_control_characters_on_the_field(client, admin, url, data):
    response = client.post(url, data=data, headers=EN)
    assert response.status_code in (200, 400) and "invisible control characters" in text(response)


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/admin/messages", {"phone": (io.BytesIO(b"\x89PNG"), "a.png")}),
        ("/admin/places/new", {"code": "D9", "name_zh": (io.BytesIO(b"%PDF"), "a.pdf")}),
        ("/admin/catalogue/groups/new", {"name_zh": "组", "name_en": (io.BytesIO(b""), "x")}),
        ("/admin/users", {"q": (io.BytesIO(b"138"), "q.txt")}),
        ("/admin/users/new", {"phone": (io.BytesIO(b"Qc"), "p.png"), "role": "secretary"}),
        ("/admin/workdays/2027", {"days": (io.BytesIO(b"\x89PNG"), "d.png")}),
        ("/staff/sign-in", {"phone": (io.BytesIO(b"\xcd"), "noext"), "password": "x"}),
        ("/archives/admin/archives/new", {"code": (io.BytesIO(b"\x89PNG"), "c.png")}),
        (
            "/archives/admin/kinds/new",
            {"proofs_self": (io.BytesIO(b"%PDF"), "p.pdf"), "may_self": "y"},
        ),
    ],
)
def test_a_file_sent_for_a_text_field_is_as_if_nothing_was_typed(client, admin, url, fields):
    response = client.post(url, data=fields, headers=EN, content_type="multipart/form-data")
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("body", [b"[1, 2]", b'"x"', b"3", b'{"q": {"a": 1}, "x": [1]}'])
def test_a_form_sent_as_json_that_is_not_an_object_of_texts_is_answered(client, admin, body):
    response = client.post("/admin/users", data=body, content_type="application/json")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("role", "url"),
    [(Role.ADMIN, "/admin/catalogue"), (Role.ADMIN, "/admin/places/{grid}"),
     (Role.GRID_WORKER, "/staff/appeals/new")],
)  # fmt: skip
def test_a_search_of_any_length_is_answered(client, session, role, url):
    tree = factories.tree(session)
    someone = factories.user(session, role, tree.grid if role == Role.GRID_WORKER else None)
    session.commit()
    sign_in_staff(client, someone)
    address = url.format(grid=tree.grid.id)
    assert client.get(f"{address}?q={'1' * 70000}", headers=EN).status_code in (200, 400)


def test_what_the_fuzzer_found_by_17_37_is_answered_without_a_500(client, session, admin):
    """What the fuzzer (branch i18-fuzz) found: ids and numbers beyond any row in paths,
    arguments and forms, and a NUL in a path."""
    tree = factories.tree(session)
    seed_catalogue(session)
    unit = units.create_unit(
        session, SYSTEM, code="unit", place_id=tree.street.id, name_zh="单位", name_en="Unit",
        phone="", now=factories.EPOCH,
    )  # fmt: skip
    item = session.scalars(select(CatalogueItem)).first()
    session.commit()
    wide_huge = "９２２３３７２０３６８５４７７５８０８"
    sent = [
        ("GET", f"/admin/places/{wide_huge}/buildings.csv", {}),
        ("GET", "/admin/places/9223372036854775808/edit", {}),
        ("POST", f"/admin/catalogue/groups/{wide_huge}/down", {}),
        ("POST", f"/admin/users/{admin.id}/grants/{HUGE}/revoke", {}),
        ("POST", f"/admin/units/{unit.id}", {"place_id": "２１４７４８３６４８", "name_zh": "区住建局"}),
        ("POST", f"/admin/catalogue/items/{item.id}",
         {"group_id": "1" * 300, "name_zh": "垃圾", "default_level": "1", "handling": "general",
          "unit_id": "-99999999999999999999999"}),
        ("POST", f"/admin/catalogue/first-choices/{tree.district.id}",
         {"items-0": "-1", "items-1": "9223372036854775808", "items-2": "1" * 300}),
        ("GET", f"/admin/messages?page={'1' * 5000}", {}),
        ("GET", f"/admin/audit?actor={'1' * 300}&page=%F0%9F%98%80", {}),
        ("GET", "/staff/appeals/a%00b/photos/00000000000000000000000000000000.jpg", {}),
        ("GET", "/t/%00/confirm", {}),
    ]  # fmt: skip
    for method, url, data in sent:
        response = client.open(url, method=method, data=data, headers=EN)
        assert response.status_code < 500, url


def test_every_archives_form_sent_with_nothing_in_it_is_answered_without_a_500(
    app, client, session, sms
):
    """Each archives form, its URL made of real values (tests/archives/stages.py), sent empty
    by the resident whose requests they are, an archivist of both archives and an
    administrator: a message on the form or a redirect for whoever may send it, a refusal for
    the others, never a 500."""
    resident = factories.user(session, Role.RESIDENT, phone="13712340002", name="李居民")
    admin = factories.user(session, Role.ADMIN, None)
    with app.test_request_context():
        made = archive_stages(session, upload_store(), resident, now=utcnow())
    session.commit()
    values = made.url_values() | {"user_id": [str(made.world.second.id)]}
    archivist, as_admin = app.test_client(), app.test_client()
    sign_in_by_sms(client, sms, resident.phone)
    sign_in_staff(archivist, made.world.archivist)
    sign_in_staff(as_admin, admin)
    reached, posted = set(), set()
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or not rule.rule.startswith("/archives"):
            continue
        posted.add(rule.rule)
        names = sorted(rule.arguments - set(rule.defaults or {}))
        for chosen in itertools.product(*(values[name] for name in names)):
            url = rule.build(dict(zip(names, chosen, strict=True)))[1]
            for who in (client, archivist, as_admin):
                response = who.post(url, data={}, headers=EN)
                assert response.status_code < 500, url
                if response.status_code not in (403, 404):
                    reached.add(rule.rule)
    # Each form was answered by someone who may send it, not only refused.
    assert reached == posted
