"""A kind of document for the tests to issue: no feature of the portal issues one yet."""

from __future__ import annotations

import pytest

from portal.permissions import Permission, Role
from portal.verification import DocumentKind, register_kind
from portal.verification.kinds import KINDS_EXTENSION
from tests import factories


def _shown(facts: dict) -> list[tuple[str, str]]:
    return [("Volunteer", facts["volunteer"]), ("Hours of service", str(facts["hours"]))]


CERTIFICATE = DocumentKind(
    name="test_certificate",
    title="Certificate of service",
    permission=Permission.MANAGE_PLACES,
    shown=_shown,
    shows_reason=True,
)
# Its facts: a masked name, and a note the kind does not let the page show.
FACTS = {"volunteer": "张*丰", "hours": 12, "note": "kept for the issuer"}


@pytest.fixture
def certificate(app, monkeypatch) -> DocumentKind:
    """CERTIFICATE, registered on the app for this test only."""
    monkeypatch.setitem(app.extensions, KINDS_EXTENSION, dict(app.extensions[KINDS_EXTENSION]))
    register_kind(app, CERTIFICATE)
    return CERTIFICATE


@pytest.fixture
def tree(session):
    return factories.tree(session)


@pytest.fixture
def secretary(session, tree):
    """The secretary of the community that issues the certificates."""
    return factories.user(session, Role.SECRETARY, tree.community, name="李书记")
