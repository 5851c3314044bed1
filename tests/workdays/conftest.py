"""A district with its administrator, a community secretary and a resident, and the
arrangement of 2027 as an administrator would type it (the package does not know 2027)."""

from __future__ import annotations

import pytest

from portal.permissions import Role
from tests import factories
from tests.accounts.test_views import sign_in_staff

# 2027's National Day week and its make-up Sunday, as the State Council might arrange them.
NATIONAL_DAY_2027 = (
    "2027-10-01..2027-10-07 国庆节 National Day\n2027-09-26 补班 国庆节 National Day"
)


@pytest.fixture
def tree(session):
    made = factories.tree(session)
    session.commit()
    return made


@pytest.fixture
def admin(session, tree):
    """An administrator of the district, not of the whole portal."""
    made = factories.user(session, Role.ADMIN, tree.district, name="周管理")
    session.commit()
    return made


@pytest.fixture
def secretary(session, tree):
    made = factories.user(session, Role.SECRETARY, tree.community, name="陈书记")
    session.commit()
    return made


@pytest.fixture
def admin_client(client, admin):
    sign_in_staff(client, admin)
    return client
