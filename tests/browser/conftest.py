"""Browser tests: real Chromium at phone size against a live portal on 127.0.0.1.

The portal runs in a thread with CSRF on and the demo district seeded, as `make run` serves
it. Every page a test visits is checked with axe (no serious or critical findings) and, in
Chinese, saved as a screenshot under test-artifacts/screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import ratelimit
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.demo.services import seed_demo, seed_demo_schedules, seed_demo_units
from tests.conftest import ROOT_DIR, dispose, make_test_app, migrated_engine
from tests.outbox import Outbox

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT_DIR / "test-artifacts" / "screenshots"
# What Chromium needs on a machine without a screen or an outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The in-app browser of WeChat on Android, which is where most residents meet the portal.
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MMWEBID/2585 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _CloseOnce:
    """A response's iterable that is closed once, however many times close() is called."""

    def __init__(self, iterable) -> None:
        self.iterable = iterable
        self.closed = False

    def __iter__(self):
        return iter(self.iterable)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.iterable, "close"):
                self.iterable.close()


def closing_responses(app):
    """WSGI middleware: keeps each response where `_ClosingRequestHandler` can close it."""

    def middleware(environ, start_response):
        response = _CloseOnce(app(environ, start_response))
        environ["tests.response"] = response
        return response

    return middleware


class _ClosingRequestHandler(WSGIRequestHandler):
    """werkzeug's development request handler, but a response is closed however it ends.

    werkzeug closes the response only after draining what is left of the request from the
    socket. When Chromium drops a connection mid-response (it does when a test moves on
    while /static/js/portal.js is still loading) that drain raises ConnectionResetError,
    the close is skipped, and the static file is left open for the garbage collector. Its
    ResourceWarning then surfaces, as PytestUnraisableExceptionWarning, in whichever test is
    running when the collector gets to it, and `filterwarnings = ["error"]` fails that test.
    The leak is in the test-only server (production runs gunicorn), so it is mended here,
    rather than by ignoring ResourceWarnings, which would hide the portal's own leaks too.
    """

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            response = getattr(self, "environ", {}).get("tests.response")
            if response is not None:
                response.close()


@dataclass
class LiveServer:
    url: str
    app: object

    def sms_code(self, phone: str) -> str:
        """The newest sign-in code queued for `phone` in the portal's outbox."""
        with self.app.app_context():
            return Outbox(db.session).code(phone)


@pytest.fixture(scope="session")
def live_server(database) -> Iterator[LiveServer]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    url = database.new_url()
    migrated_engine(url).dispose()
    # The server takes its port first, so that the app is made with its address as the base
    # URL: posters, SMS links and tracking URLs printed during the tests lead to it.
    serving: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1",
        0,
        lambda environ, start_response: serving["app"](environ, start_response),
        threaded=True,
        request_handler=_ClosingRequestHandler,
    )
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = make_test_app(url, WTF_CSRF_ENABLED=True, TESTING=False, BASE_URL=base_url)
    with app.app_context():
        seed_demo(db.session, now=utcnow())
        seed_catalogue(db.session)
        seed_demo_units(db.session)
        seed_demo_schedules(db.session, now=utcnow())
        db.session.commit()
    serving["app"] = closing_responses(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        dispose(app)


@pytest.fixture(autouse=True)
def _own_limits(live_server) -> None:
    """Every browser test comes from 127.0.0.1, like one crowded network: each starts with the
    live server's rate limits empty, as the phone of a person of its own (the limits
    themselves are tested over HTTP). Ten residents' sign-in codes an hour from one address
    refused the later tests' sign-ins."""
    ratelimit.reset(live_server.app)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def phone(chromium, language):
    """A fresh phone-sized browser tab speaking the test's language."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=LANGUAGES[language],
        user_agent=WECHAT_ANDROID,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium, language):
    """A fresh desktop-sized browser tab speaking the test's language (staff at their desk)."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 800}, locale=LANGUAGES[language]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def check(language, request):
    """Check the page in view: axe finds nothing serious, and a Chinese screenshot is kept."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    axe = Axe()
    test_name = request.node.originalname

    def audit(page):
        # A click that starts a navigation returns before the next page arrives; axe run
        # while one document gives way to the next finds no document. Wait, and run again.
        try:
            return axe.run(page)
        except PlaywrightError:
            page.wait_for_load_state("load")
            return axe.run(page)

    def run(page, name: str) -> None:
        results = audit(page)
        serious = [
            (
                violation["id"],
                violation["impact"],
                [node["target"] for node in violation["nodes"]][:3],
            )
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{name}: {serious}"
        if language == "zh":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{test_name}--{name}.png"), full_page=True)

    return run
