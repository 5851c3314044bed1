"""The demo district: its size, its accounts, and that seeding twice adds nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.db import db
from portal.demo import data
from portal.permissions import STAFF_ROLES, Role
from portal.places.models import Building, Place

pytestmark = pytest.mark.usefixtures("english_terminal")


def test_make_run_set_up_twice_builds_one_demo_district(fresh_app):
    app = fresh_app()
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
    assert "was not added again" in result.output
    assert "13800138008" in result.output and data.STAFF_PASSWORD in result.output

    with app.app_context():
        places = db.session.scalars(select(Place)).all()
        kinds = Counter(place.kind.value for place in places)
        assert kinds == {"district": 1, "street": 2, "community": 4, "grid": 12}
        # Door pages and posters have someone to call everywhere.
        assert all(place.phone for place in places if place.kind.value in ("community", "grid"))
        assert all(place.service_hours_zh for place in places if place.kind.value == "community")
        # ...and none of those numbers is somebody's sign-in number.
        sign_ins = set(db.session.scalars(select(User.phone)))
        assert not {place.phone for place in places} & sign_ins
        buildings = db.session.scalars(select(Building)).all()
        assert len(buildings) == 60
        assert len({b.public_code for b in buildings}) == 60
        assert all(b.address.startswith("明湖区") for b in buildings)
        users = db.session.scalars(select(User)).all()
        roles = {role for user in users for role in user.roles} | {Role.RESIDENT}
        assert roles == set(Role)
        for user in users:
            assert bool(user.password_hash) == bool(user.roles & STAFF_ROLES)


def test_the_demo_is_not_added_in_production(fresh_app, production):
    app = fresh_app()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 1 and "not added in production" in result.output
