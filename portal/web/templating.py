"""Helpers for templates: names in the reader's language, masked numbers, local times."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_timedelta, get_locale, get_timezone, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.i18n import (
    HTML_LANG,
    LANGUAGE_NAMES,
    LOCALES,
    format_day,
    format_moment,
    name_in,
    text_in,
)
from portal.phones import mask_phone, spaced_phone, tel_uri

# Pages for staff, who see residents' details: their footer speaks to the staff.
# The pages of staff: they look like the staff desk, and signing in to see one asks for the
# staff password (portal.accounts.sessions).
STAFF_PATHS = (
    "/staff", "/admin", "/volunteering/desk", "/volunteering/admin", "/points/desk", "/points/admin",
    "/legal/desk", "/legal/snippets", "/legal/admin", "/legal/faq/drafts", "/legal/faq/review",
    "/archives/desk", "/archives/admin",
)  # fmt: skip


def current_locale() -> str:
    return str(get_locale() or LOCALES[0])


def local_name(thing: Any) -> str:
    """A place's or building's name in the reader's language (portal.i18n.name_in)."""
    return name_in(thing, current_locale())


def local_text(chinese: str, english: str) -> str:
    """The English text for an English reader when there is one, else the Chinese."""
    return text_in(current_locale(), chinese, english)


def local_time(moment: datetime | None) -> str:
    """A UTC time shown in Asia/Shanghai, in the reader's language: "3 Dec 2026, 05:12"."""
    return format_moment(moment, current_locale(), get_timezone()) if moment else ""


def local_date(moment: datetime | None) -> str:
    """The day of a UTC time in Asia/Shanghai, in the reader's language: "3 Dec 2026"."""
    return format_day(moment, current_locale(), get_timezone()) if moment else ""


def time_span(delta: timedelta) -> str:
    """How long, rounded to a unit a person reads at a glance ("12 minutes", "3 days")."""
    return format_timedelta(abs(delta), granularity="minute", threshold=1.0)


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    """A static file's URL with its content hash: WeChat's browser caches hard."""
    urls = current_app.extensions["portal.static_urls"]
    key = (request.script_root, filename)
    if key not in urls:
        path = Path(current_app.static_folder or "") / filename
        urls[key] = url_for("static", filename=filename, v=_file_digest(str(path)))
    return urls[key]


def _translations() -> Any:
    """The translations of this request, looked up once.

    Flask-Babel's get_translations() finds the request's locale anew for every message, which
    took a third of the time of rendering a page of short texts. The lookup is kept where
    Flask-Babel's refresh() and force_locale() clear it when the locale changes.
    """
    context = g.get("_flask_babel") if g else None
    translations = getattr(context, "babel_translations", None)
    if translations is None:
        translations = get_translations()
        context = g.get("_flask_babel") if g else None
        if context is not None:
            context.babel_translations = translations
    return translations


@pass_context
def _gettext(context: Context, string: str, **variables: Any) -> str:
    """`_()` in templates: Jinja's own (newstyle) `_` is the same, reached through two more
    calls; a page says `_()` a few dozen times, and the calls took a fifth of its rendering."""
    translated = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 (our catalogue, trusted as by Jinja)
    # Always a format string, as with Jinja's: a literal % is written %%.
    return translated % variables


def other_locale() -> str:
    return LOCALES[1] if current_locale() == LOCALES[0] else LOCALES[0]


def _language_next() -> str:
    """Where the language switch returns to: this page, if it can be opened again by a link."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.path
    return url_for("desk.home")


def init_app(app: Flask) -> None:
    app.extensions["portal.static_urls"] = {}
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _translations().ugettext(text),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, text: _translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(
            context, singular, plural, n
        ),
    )
    app.jinja_env.globals["_"] = _gettext
    app.jinja_env.filters.update(
        mask_phone=mask_phone,
        spaced_phone=spaced_phone,
        tel_uri=tel_uri,
        local_name=local_name,
        local_time=local_time,
        local_date=local_date,
        time_span=time_span,
    )
    app.jinja_env.globals.update(
        static_url=static_url,
        local_text=local_text,
    )

    @app.context_processor
    def _every_page() -> dict[str, Any]:
        other = other_locale()
        return {
            "html_lang": HTML_LANG[current_locale()],
            "other_locale": other,
            "other_locale_name": LANGUAGE_NAMES[other],
            "other_html_lang": HTML_LANG[other],
            "language_next": _language_next(),
            "staff_pages": request.path.startswith(STAFF_PATHS),
        }
