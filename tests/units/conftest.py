"""Administrators signed in, and a unit serving the street, in a district with a catalogue."""

from __future__ import annotations

import re

import pytest

from portal.permissions import Role
from portal.units.models import Unit
from tests import factories
from tests.accounts.test_views import sign_in_staff
from tests.appeals import conftest as appeals

# The district with its catalogue, and its staff, as the appeals' tests have them.
tree = appeals.tree
staff = appeals.staff


@pytest.fixture
def admin(session, tree):
    return factories.user(session, Role.ADMIN, None, name="周管理")


@pytest.fixture
def admin_client(client, admin):
    sign_in_staff(client, admin)
    return client


@pytest.fixture
def unit(session, tree) -> Unit:
    made = Unit(
        code="fh-chengguan", place=tree.street, name_zh="第一街道城管执法队",
        name_en="Urban management", phone="",
    )  # fmt: skip
    session.add(made)
    session.commit()
    return made


def errors(body: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", found).replace("Error:", "").strip()
        for found in re.findall(r'class="field-error"[^>]*>(.*?)</p>', body, re.S)
    ]
