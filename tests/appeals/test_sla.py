"""The service clocks: deadlines from the configured clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.appeals import appeal_settings, sla
from portal.catalogue.models import HandlingClass
from tests.appeals.conftest import (
    MINUTE,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_district_can_change_its_clocks(session, tree, now, app):
    clocks = sla.Clocks.from_config({"accept": 5, "handling": {"general": 60 * 24 * 3}})
    assert clocks.accept == 5 * MINUTE and clocks.handling[HandlingClass.GENERAL] == timedelta(3)
    assert clocks.contact == 30 * MINUTE
    for bad in ({"accept": 0}, {"acept": 5}, {"handling": {"general": "soon"}}, {"review": True}):
        with pytest.raises(ValueError, match="APPEAL_CLOCKS"):
            sla.Clocks.from_config(bad)


def test_deadlines_follow_the_clocks_and_the_items_own_time():
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    clocks = sla.Clocks.from_config({"accept": 5, "contact": 20, "handling": {"utilities": 600}})
    due = sla.deadlines(clocks, start, HandlingClass.UTILITIES, needs_contact=True)
    assert (due.accept, due.contact, due.resolve) == (
        start + 5 * MINUTE,
        start + 20 * MINUTE,
        start + 600 * MINUTE,
    )
    quiet = sla.deadlines(clocks, start, HandlingClass.GENERAL, needs_contact=False)
    assert quiet.contact is None and quiet.resolve == start + timedelta(days=7)
    own = sla.deadlines(
        clocks, start, HandlingClass.GENERAL, needs_contact=False, resolve_in=timedelta(hours=3)
    )
    assert own.resolve == start + timedelta(hours=3)


def test_the_apps_settings_take_the_configured_clocks(fresh_app):
    app = fresh_app(APPEAL_CLOCKS={"accept": 7, "review": 60 * 24})
    settings = appeal_settings(app)
    assert settings.clocks.accept == 7 * MINUTE and settings.clocks.review == timedelta(days=1)
    assert settings.clocks.contact == 30 * MINUTE
    assert (
        settings.tracking_url("A2612-7K3Q") == f"{app.config['BASE_URL'].rstrip('/')}/t/A2612-7K3Q"
    )


def test_a_bad_configuration_is_refused_when_the_app_is_made(fresh_app):
    with pytest.raises(ValueError, match="APPEAL_CLOCKS"):
        fresh_app(APPEAL_CLOCKS={"accept": -1})
