"""The time bank's rules and accounts: ages, the district above a community, capped accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.ledger.models import AccountKind, Unit
from portal.volunteering import timebank
from portal.volunteering.timebank import TimeBankRules, age_on
from tests import factories

NOW = datetime(2026, 12, 4, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1966, 12, 4), date(2026, 12, 4), 60),
        (date(1966, 12, 5), date(2026, 12, 4), 59),
        (date(1964, 2, 29), date(2026, 2, 28), 61),
        (date(1964, 2, 29), date(2026, 3, 1), 62),
    ],
)
def test_age_counts_whole_years(born, day, age):
    assert age_on(born, day) == age


def test_rules_come_from_the_configuration():
    rules = TimeBankRules.from_config({"TIME_BANK_CAP_HOURS": 1000, "TIME_BANK_SPENDING_AGE": 65})
    assert (rules.cap_minutes, rules.spending_age, rules.adult_age) == (60_000, 65, 18)
    assert TimeBankRules.from_config({}) == TimeBankRules()


def test_accounts_of_a_person_a_community_and_its_district(session):
    tree = factories.tree(session)
    user = factories.user(session)
    rules = TimeBankRules(cap_minutes=600)
    own = timebank.person_account(session, user, rules, now=NOW)
    assert (own.unit, own.kind, own.cap, own.user_id) == (
        Unit.MINUTES, AccountKind.PERSON, 600, user.id,
    )  # fmt: skip
    assert timebank.person_account(session, user, rules, now=NOW).id == own.id
    pool = timebank.pool_account(session, tree.community, now=NOW)
    assert (pool.kind, pool.place_id) == (AccountKind.POOL, tree.community.id)
    issuer = timebank.issuer_account(session, tree.grid, now=NOW)
    assert (issuer.kind, issuer.place_id) == (AccountKind.ISSUER, tree.district.id)
    assert timebank.district_of(tree.district) is tree.district
