"""Languages, error pages and times, as a reader meets them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import abort
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from portal.accounts.models import User
from portal.errors import TooMany
from portal.i18n import LANGUAGE_COOKIE, locale_for_tag
from portal.permissions import Role
from portal.web.templating import local_date, local_time
from tests import factories
from tests.accounts.test_views import sign_in_staff
from tests.conftest import make_test_app

BROWSER_ZH = "zh-CN,zh;q=0.9,en;q=0.8"
BROWSER_EN = "en-US,en;q=0.9"


@pytest.mark.parametrize(
    ("tag", "locale"),
    [("zh-CN", "zh_Hans_CN"), ("zh", "zh_Hans_CN"), ("zh-Hans", "zh_Hans_CN"), ("zh_Hans_CN", "zh_Hans_CN"),
     ("zh-TW", "zh_Hans_CN"), ("en", "en"), ("en-GB", "en"), ("EN-us", "en"), ("fr", None), ("", None)],
)  # fmt: skip
def test_browser_tags_map_onto_the_two_catalogues(tag, locale):
    assert locale_for_tag(tag) == locale


def test_a_chinese_browser_gets_chinese_and_an_english_one_english(client):
    chinese = client.get("/", headers={"Accept-Language": BROWSER_ZH}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese
    assert "社区网格服务" in chinese and "登录" in chinese
    english = client.get("/", headers={"Accept-Language": BROWSER_EN}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Community Services" in english


def test_without_a_known_language_the_portal_speaks_chinese(client):
    assert '<html lang="zh-CN">' in client.get(
        "/", headers={"Accept-Language": "fr-FR,de"}
    ).get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_the_switch_sets_a_cookie_that_beats_the_browser(client):
    response = client.post("/language", data={"locale": "en", "next": "/sign-in"})
    assert response.headers["Location"] == "/sign-in"
    assert client.get_cookie(LANGUAGE_COOKIE).value == "en"
    body = client.get("/sign-in", headers={"Accept-Language": BROWSER_ZH}).get_data(as_text=True)
    assert '<html lang="en">' in body
    # The switch offers the other language, named in that language.
    assert 'lang="zh-CN">中文</button>' in body


def test_the_switch_remembers_the_choice_for_a_signed_in_person(client, session):
    worker = factories.user(session, Role.GRID_WORKER)
    session.commit()
    sign_in_staff(client, worker)
    client.post("/language", data={"locale": "en", "next": "/staff"})
    assert session.scalar(select(User.locale).where(User.id == worker.id)) == "en"
    client.delete_cookie(LANGUAGE_COOKIE)
    assert '<html lang="en">' in client.get(
        "/staff", headers={"Accept-Language": BROWSER_ZH}
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "javascript:alert(1)"]
)
def test_the_switch_only_returns_to_this_site(client, target):
    assert (
        client.post("/language", data={"locale": "en", "next": target}).headers["Location"] == "/"
    )


def test_an_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "fr", "next": "/"})
    assert client.get_cookie(LANGUAGE_COOKIE) is None


# Error pages


@pytest.fixture(scope="module")
def failing_app():
    app = make_test_app("sqlite://")

    @app.get("/fail/<int:status>")
    def fail(status: int):
        if status == 500:
            raise RuntimeError("secret internals: password=hunter2")
        abort(status)

    @app.get("/wait/<int:seconds>")
    def wait(seconds: int):
        raise TooManyRequests(retry_after=seconds)

    @app.get("/codes")
    def codes():
        raise TooMany(
            "A code was sent less than a minute ago. Please wait 30 seconds.", retry_after=30
        )

    return app


@pytest.mark.parametrize(
    ("status", "english", "chinese"),
    [
        (400, "Something was not right", "<h1>提交的内容有误</h1>"),
        (403, "You cannot open this page", "<h1>您无法打开此页面</h1>"),
        (404, "Page not found", "<h1>找不到此页面</h1>"),
        (413, "The file is too large", "<h1>文件太大</h1>"),
        (429, "Too many attempts", "<h1>尝试次数太多</h1>"),
        (500, "Something went wrong on our side", "<h1>系统出现问题</h1>"),
    ],
)
def test_error_pages_speak_both_languages_and_hide_internals(failing_app, status, english, chinese):
    client = failing_app.test_client()
    response = client.get(f"/fail/{status}", headers={"Accept-Language": BROWSER_EN})
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert english in body
    assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body
    chinese_body = client.get(f"/fail/{status}", headers={"Accept-Language": BROWSER_ZH}).get_data(
        as_text=True
    )
    assert chinese in chinese_body and english not in chinese_body


@pytest.mark.parametrize(
    ("seconds", "english", "chinese"),
    [
        (1, "Please wait 1 second, then try again.", "请等 1 秒后再试。"),
        (8, "Please wait 8 seconds, then try again.", "请等 8 秒后再试。"),
        (60, "Please wait 1 minute, then try again.", "请等 1 分钟后再试。"),
        (61, "Please wait 2 minutes, then try again.", "请等 2 分钟后再试。"),
        (90 * 60, "Please wait 90 minutes, then try again.", "请等 90 分钟后再试。"),
        (20 * 3600, "Please wait 20 hours, then try again.", "请等 20 小时后再试。"),
    ],
)
def test_the_429_page_says_when_to_come_back_in_both_languages(
    failing_app, seconds, english, chinese
):
    client = failing_app.test_client()
    response = client.get(f"/wait/{seconds}", headers={"Accept-Language": BROWSER_EN})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(seconds)
    body = response.get_data(as_text=True)
    assert "<h1>Too many attempts</h1>" in body and english in body
    response = client.get(f"/wait/{seconds}", headers={"Accept-Language": BROWSER_ZH})
    assert response.headers["Retry-After"] == str(seconds)
    body = response.get_data(as_text=True)
    assert "<h1>尝试次数太多</h1>" in body and chinese in body


def test_a_refusal_from_a_rule_keeps_its_own_words_and_sends_retry_after(failing_app):
    response = failing_app.test_client().get("/codes", headers={"Accept-Language": BROWSER_EN})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert "Please wait 30 seconds." in response.get_data(as_text=True)


def test_too_many_searches_get_the_429_page_in_the_reader_s_language(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOOKUP_LIMIT_PER_ADDRESS", "2 per minute")
    for _ in range(2):
        assert client.get("/find?q=楼").status_code == 200
    english = client.get("/find?q=楼", headers={"Accept-Language": BROWSER_EN})
    assert english.status_code == 429
    wait = int(english.headers["Retry-After"])
    assert 1 <= wait <= 60
    # The page says the wait the header gives (in seconds, under a minute).
    said = re.search(r"Please wait (\d+) (second|minute)", english.get_data(as_text=True))
    assert (int(said.group(1)), said.group(2)) == ((wait, "second") if wait < 60 else (1, "minute"))
    chinese = client.get("/find?q=楼", headers={"Accept-Language": BROWSER_ZH})
    assert chinese.status_code == 429
    assert "后再试。" in chinese.get_data(as_text=True)


def test_a_get_to_a_post_only_address_is_explained(client):
    response = client.get("/sign-out", headers={"Accept-Language": BROWSER_EN})
    assert response.status_code == 405
    assert "This cannot be done here" in response.get_data(as_text=True)


def test_templates_follow_a_locale_forced_within_a_request(app):
    from flask_babel import force_locale

    skip = app.jinja_env.from_string('{{ _("Skip to main content") }}')
    with app.test_request_context(headers={"Accept-Language": BROWSER_EN}):
        assert skip.render() == "Skip to main content"
        with force_locale("zh_Hans_CN"):
            assert skip.render() == "跳到正文"
        assert skip.render() == "Skip to main content"


# Times


@pytest.mark.usefixtures("app_context")
def test_times_are_shown_in_shanghai_time(app):
    from flask_babel import force_locale

    moment = datetime(2026, 12, 2, 21, 12, tzinfo=UTC)
    evening = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
    with force_locale("zh_Hans_CN"):
        assert local_time(moment) == "2026年12月3日 05:12"
        assert local_time(evening) == "2026年12月3日 18:30"
        assert local_date(moment) == "2026年12月3日"
    # The day in words and a 24-hour clock, never "12/3/26, 5:12 AM".
    with force_locale("en"):
        assert local_time(moment) == "3 Dec 2026, 05:12"
        assert local_time(evening) == "3 Dec 2026, 18:30"
        assert local_date(moment) == "3 Dec 2026"
    assert local_time(None) == "" and local_date(None) == ""


def test_the_footer_speaks_to_residents_on_their_pages_and_to_staff_on_theirs(client, session):
    resident_note = "Your personal information is used only to handle your requests"
    staff_note = "Residents' details on these pages are for handling their requests only"
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert resident_note in home and staff_note not in home
    admin = factories.user(session, Role.ADMIN, None)
    session.commit()
    sign_in_staff(client, admin)
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/staff/appeals").get_data(as_text=True)
    assert staff_note in page and resident_note not in page


@pytest.mark.parametrize(
    ("role", "path"),
    [(Role.ADMIN, "/volunteering/admin/kinds"), (Role.COORDINATOR, "/volunteering/desk/help")],
)
def test_volunteering_staff_pages_show_the_staff_footer(client, session, role, path):
    resident_note = "Your personal information is used only to handle your requests"
    staff_note = "Residents' details on these pages are for handling their requests only"
    place = None if role is Role.ADMIN else factories.tree(session).community
    staff = factories.user(session, role, place)
    session.commit()
    sign_in_staff(client, staff)
    client.post("/language", data={"locale": "en", "next": "/"})
    response = client.get(path)
    assert response.status_code == 200
    assert staff_note in response.text and resident_note not in response.text
    volunteering = client.get("/volunteering/").text
    assert resident_note in volunteering and staff_note not in volunteering
