"""What every response carries, what GET may never do, and CSRF on every form."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text

import portal.models  # noqa: F401
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.db import Base, make_engine, utcnow
from portal.meetings.feeds import new_feed
from portal.permissions import SYSTEM, Role
from portal.units import services as units
from portal.uploads.web import store as upload_store
from tests import factories
from tests.accounts.test_views import sign_in_by_sms, sign_in_staff
from tests.archives.stages import stages as archive_stages
from tests.conftest import Client, dispose, make_test_app
from tests.outbox import Outbox

REQUIRED_CSP = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'")


def assert_safe_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    for directive in REQUIRED_CSP:
        assert directive in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    ["/", "/sign-in", "/staff/sign-in", "/no-such-page", "/static/css/portal.css", "/healthz"],
)
def test_every_response_carries_the_security_headers(client, url):
    with client.get(url) as response:
        assert_safe_headers(response)


def test_pages_for_a_signed_in_person_are_not_stored(client, session):
    sign_in_staff(client, factories.user(session, Role.ADMIN, None))
    response = client.get("/staff")
    assert response.headers["Cache-Control"] == "no-store"
    assert_safe_headers(response)
    assert "no-store" not in client.application.test_client().get("/").headers.get(
        "Cache-Control", ""
    )


def test_production_secures_the_cookie_sends_hsts_and_hides_the_development_page(
    production, monkeypatch
):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite://")
    from portal import create_app

    app = create_app()
    client = app.test_client()
    response = client.get("/sign-in", base_url="https://portal.example")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/dev/messages").status_code == 404
    dispose(app)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    from flask import Flask

    from portal import _load_secret_key

    app = Flask("check", instance_path=str(tmp_path))
    app.config.update(ENV_NAME="production", SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="PORTAL_SECRET_KEY"):
        _load_secret_key(app)


def test_development_creates_one_secret_key_and_keeps_it(tmp_path):
    from flask import Flask

    from portal import _load_secret_key

    keys = []
    for _ in range(2):
        app = Flask("check", instance_path=str(tmp_path))
        app.config.update(ENV_NAME="development", SECRET_KEY=None)
        _load_secret_key(app)
        keys.append(app.config["SECRET_KEY"])
    assert keys[0] == keys[1] and len(keys[0]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_anonymous_pages_set_no_cookie(client):
    # Public pages must stay cacheable: no session for someone who only reads.
    for url in ("/", "/no-such-page"):
        assert "Set-Cookie" not in client.get(url).headers


def test_pages_ask_for_no_outside_resources(client):
    body = client.get("/sign-in").get_data(as_text=True)
    for address in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert address.startswith(("/", "#")), address


# No GET route changes anything


def _snapshot(session) -> dict[str, list]:
    # Left out: the audit log (recording a refused request is a log line, not a change) and
    # the scan counts (counting visits to a door is what a door page GET is for).
    tables = [
        table
        for name, table in Base.metadata.tables.items()
        if name not in ("audit_events", "building_scans")
    ]
    session.expire_all()
    return {
        table.name: session.execute(select(table).order_by(*table.primary_key)).all()
        for table in tables
    }


def test_no_get_route_changes_the_database(app: Flask, client: Client, session):
    tree = factories.tree(session)
    admin = factories.user(session, Role.ADMIN, None)
    worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    seed_catalogue(session)
    item = session.scalars(select(CatalogueItem)).first()
    host = factories.user(session, Role.SECRETARY, tree.community)
    feed_token = new_feed(session, host, now=factories.EPOCH)
    activity = factories.activity(session, tree.community, starts_at=utcnow() + timedelta(days=3))
    relative = factories.relative(session, factories.volunteer(session, tree.community))
    elder = factories.elder(session, tree.community)
    help_request = factories.help_request(session, elder, starts_at=utcnow() + timedelta(days=2))
    member = factories.family_member(session, elder)
    unit = units.create_unit(
        session, SYSTEM, code="unit", place_id=tree.street.id, name_zh="单位", name_en="Unit",
        phone="", now=factories.EPOCH,
    )  # fmt: skip
    session.commit()
    values = {
        "place_id": tree.grid.id,
        "district_id": tree.district.id,
        "parent_id": tree.community.id,
        "building_id": tree.building.id,
        "user_id": worker.id,
        "grant_id": worker.grants[0].id,
        "filename": "css/portal.css",
        "code": tree.building.public_code,
        "tracking": "A2611-2345",
        "name": "0" * 32 + ".jpg",
        "group_id": item.group_id,
        "item_id": item.id,
        "unit_id": unit.id,
        "year": 2027,
        "reference": "M2345678",
        "relation": "self",
        "token": feed_token,
        "activity_id": activity.id,
        "relative_id": relative.id,
        "elder_id": elder.id,
        "request_id": help_request.id,
        "member_id": member.id,
        "schedule_id": 1,
        "host_id": host.id,
        "closure_id": 1,
        "community_id": tree.community.id,
        "sign_up_id": 1,
        "volunteer_id": 1,
        "kind_id": 1,
        "rule_id": 1,
        "award_id": 1,
        "reward_id": 1,
        "order_id": 1,
        "objection_id": 1,
        "community_code": tree.community.code,
        "topic_id": 1,
        "snippet_id": 1,
        "faq_id": 1,
    }
    sign_in_staff(client, admin)
    before = _snapshot(session)
    visited = forms = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for who in (client, app.test_client()):
            with who.get(url) as response:
                assert response.status_code < 500, url
                forms += _count_forms_with_a_token(response, signed_in=who is client)
        visited += 1
    assert visited >= 15 and forms >= 20
    assert _snapshot(session) == before


def test_no_archives_page_changes_the_database(app: Flask, client: Client, session, sms):
    """The archives' pages opened with real values, by the resident whose requests they are,
    an archivist of both archives, a portal administrator and someone signed out. A staff
    member's read is written to the audit log (left out); nothing else is written."""
    resident = factories.user(session, Role.RESIDENT, phone="13712340001", name="李居民")
    admin = factories.user(session, Role.ADMIN, None)
    with app.test_request_context():
        made = archive_stages(session, upload_store(), resident, now=utcnow())
    session.commit()
    values = made.url_values() | {"user_id": [str(made.world.second.id)]}
    archivist, as_admin, anonymous = (app.test_client() for _ in range(3))
    sign_in_by_sms(client, sms, resident.phone)
    sign_in_staff(archivist, made.world.archivist)
    sign_in_staff(as_admin, admin)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.rule.startswith("/archives")
    ]
    before = _snapshot(session)
    shown = set()
    for rule in rules:
        names = sorted(rule.arguments - set(rule.defaults or {}))
        for chosen in itertools.product(*(values[name] for name in names)):
            url = rule.build(dict(zip(names, chosen, strict=True)))[1]
            for who in (client, archivist, as_admin, anonymous):
                with who.get(url) as response:
                    assert response.status_code < 500, url
                    if response.status_code == 200:
                        shown.add(rule.rule)
                        _count_forms_with_a_token(response, signed_in=who is not anonymous)
    # Every page of archive queries was seen by someone who may read it.
    assert shown == {rule.rule for rule in rules}
    assert _snapshot(session) == before


def _count_forms_with_a_token(response, *, signed_in: bool) -> int:
    """Every POST form on the page carries a CSRF token (the anonymous language switch aside)."""
    if response.mimetype != "text/html":
        return 0
    counted = 0
    for form in re.findall(
        r"<form[^>]*method=\"post\".*?</form>", response.get_data(as_text=True), re.S
    ):
        if not signed_in and 'action="/language"' in form:
            assert 'name="csrf_token"' not in form
            continue
        assert 'name="csrf_token"' in form, form[:200]
        counted += 1
    return counted


# CSRF


@pytest.fixture
def csrf_client(engine, session):
    protected = make_test_app(
        engine.url.render_as_string(hide_password=False), WTF_CSRF_ENABLED=True
    )
    protected.extensions["portal.db"].session.session_factory.configure(
        bind=session.get_bind(), join_transaction_mode="create_savepoint"
    )
    protected.test_client_class = Client
    made = protected.test_client()
    made.test_session = session
    yield made
    dispose(protected)


def token(body: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)


def test_every_post_route_refuses_a_request_without_a_token(csrf_client, session):
    staff = factories.user(session, Role.ADMIN, None)
    session.commit()
    body = csrf_client.get("/staff/sign-in").get_data(as_text=True)
    csrf_client.post(
        "/staff/sign-in",
        data={"csrf_token": token(body), "phone": staff.phone, "password": factories.PASSWORD},
    )
    for rule in csrf_client.application.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        url = rule.build(dict.fromkeys(rule.arguments, 1))[1]
        response = csrf_client.post(
            url, data={"phone": "13800138000"}, headers={"Accept-Language": "en"}
        )
        assert response.status_code == 400, url
        assert "reload the page and try again" in response.get_data(as_text=True)


def test_an_anonymous_language_switch_needs_no_token(csrf_client):
    # It only sets a cookie in the visitor's own browser; a signed-in switch needs the token.
    response = csrf_client.post("/language", data={"locale": "en", "next": "/"})
    assert response.headers["Location"] == "/"


def test_forms_work_with_the_token_from_their_page(csrf_client, session):
    staff = factories.user(session, Role.ADMIN, None)
    session.commit()
    body = csrf_client.get("/staff/sign-in").get_data(as_text=True)
    response = csrf_client.post(
        "/staff/sign-in",
        data={"csrf_token": token(body), "phone": staff.phone, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/staff"
    body = csrf_client.get("/account").get_data(as_text=True)
    response = csrf_client.post(
        "/language", data={"csrf_token": token(body), "locale": "en", "next": "/account"}
    )
    assert response.headers["Location"] == "/account"
    body = csrf_client.get("/account").get_data(as_text=True)
    assert (
        csrf_client.post("/sign-out", data={"csrf_token": token(body)}).headers["Location"] == "/"
    )
    body = csrf_client.get("/sign-in").get_data(as_text=True)
    response = csrf_client.post(
        "/sign-in", data={"csrf_token": token(body), "phone": "13800138000"}
    )
    assert response.headers["Location"] == "/sign-in/code"
    assert len(Outbox(session).recent()) == 1


def test_a_large_request_gets_the_too_large_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post(
        "/sign-in", data={"phone": "1" * 4096}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)


def test_the_health_check_reads_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_production_refuses_a_local_base_url(production, monkeypatch):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite://")
    monkeypatch.delenv("PORTAL_BASE_URL")
    from portal import create_app

    with pytest.raises(RuntimeError, match="PORTAL_BASE_URL"):
        create_app()


@pytest.mark.parametrize(
    ("setting", "value", "complaint"),
    [
        ("PORTAL_NOTIFICATIONS_PROVIDER", "log", "needs an SMS gateway"),
        ("PORTAL_SMS_GATEWAY_URL", "", "PORTAL_SMS_GATEWAY_URL"),
        ("PORTAL_SMS_GATEWAY_SECRET", "", "PORTAL_SMS_GATEWAY_SECRET"),
        ("PORTAL_SMS_GATEWAY_URL", "file:///etc/passwd", "http:// or https://"),
        ("PORTAL_SMS_LEASE_SECONDS", "60", "SMS_LEASE_SECONDS must exceed"),
        ("PORTAL_SMS_BATCH_SIZE", "0", "SMS_BATCH_SIZE must be at least 1"),
        ("PORTAL_SMS_MAX_ATTEMPTS", "0", "SMS_MAX_ATTEMPTS must be at least 1"),
        ("PORTAL_SMS_RETRY_BASE_SECONDS", "0", "SMS_RETRY_BASE_SECONDS must be at least 1"),
        ("PORTAL_SMS_RETRY_CAP_SECONDS", "5", "SMS_RETRY_CAP_SECONDS must be at least"),
        ("PORTAL_SMS_GATEWAY_TIMEOUT", "0", "SMS_GATEWAY_TIMEOUT must be more than 0"),
    ],
)
def test_production_refuses_to_start_without_a_working_sms_gateway(
    production, monkeypatch, setting, value, complaint
):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "sqlite://")
    monkeypatch.setenv(setting, value)
    from portal import create_app

    with pytest.raises(RuntimeError, match=complaint):
        create_app()


def test_pages_that_only_read_do_not_queue_behind_a_writer(fresh_app):
    """A GET begins its transaction without taking SQLite's write lock: while another
    connection holds that lock, pages still answer (else this waits out the busy timeout
    and fails with a 500)."""
    app = fresh_app(migrate=True)
    engine = app.extensions["portal.db"].engine
    with engine.connect() as writer:
        writer.execute(text("DELETE FROM phone_codes"))  # Holds the write lock until the end.
        response = app.test_client().get("/find?q=楼")
        assert response.status_code == 200
        writer.rollback()


def test_a_database_error_in_the_log_shows_neither_the_values_sent_nor_a_number(
    app, session, caplog
):
    # PostgreSQL itself explains a duplicate with its value: the log masks it.
    import logging

    from sqlalchemy.exc import IntegrityError

    from portal.accounts.models import User

    session.add(User(phone="13812345678", display_name="张建国", created_at=factories.EPOCH))
    session.flush()
    session.add(User(phone="13812345678", display_name="王秀兰", created_at=factories.EPOCH))
    with pytest.raises(IntegrityError) as error:
        session.flush()
    assert "王秀兰" not in str(error.value)
    assert "hidden due to hide_parameters" in str(error.value)
    with caplog.at_level(logging.ERROR):
        logging.getLogger("portal.test").error("Saving failed", exc_info=error.value)
        logging.getLogger("portal.test").error("Number %s, +86 138 1234 5678", "13812345678")
    assert "13812345678" not in caplog.text and "138 1234 5678" not in caplog.text
    assert "138****5678" in caplog.text
