"""A district's issuer, a community's pool and two volunteers' accounts, in minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from portal.accounts.models import User
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, Unit
from portal.permissions import Role
from portal.places.models import Place
from tests import factories

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@dataclass
class Books:
    community: Place
    coordinator: User
    alice: User
    bob: User
    issuer: LedgerAccount
    pool: LedgerAccount
    alice_hours: LedgerAccount
    bob_hours: LedgerAccount


@pytest.fixture
def books(session, app_context) -> Books:
    tree = factories.tree(session)
    coordinator = factories.user(session, Role.SECRETARY, tree.community)
    alice = factories.user(session, name="张阿姨")
    bob = factories.user(session, name="李师傅")
    return Books(
        tree.community,
        coordinator,
        alice,
        bob,
        ledger.account(session, Unit.MINUTES, AccountKind.ISSUER, place=tree.district),
        ledger.account(session, Unit.MINUTES, AccountKind.POOL, place=tree.community),
        ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=alice, cap=600),
        ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=bob),
    )


def bank(session, books: Books, held: LedgerAccount, minutes: int, subject: str | None = None):
    """Credit `minutes` to `held` from the district's issuer."""
    return ledger.post(
        session,
        books.coordinator,
        unit=Unit.MINUTES,
        kind="hours.banked",
        legs=[(books.issuer, -minutes), (held, minutes)],
        subject=subject,
        now=NOW,
    )
