"""Volunteers' ID numbers sealed at rest: a sealed number opens only with its key, for its own
volunteer, unaltered; and the database row of a volunteer holds no whole number."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from portal import idnumbers
from portal.audit.models import AuditEvent
from portal.errors import Invalid
from portal.permissions import Role
from portal.volunteering import idseal
from portal.volunteering import volunteers as service
from tests import factories

NUMBER = "11010519491231002X"
KEY = idseal.key_from({"VOLUNTEER_ID_KEY": "a volunteer key"})
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
WHOLE = re.compile(r"[0-9]{17}[0-9X]")


def test_a_sealed_number_opens_for_its_volunteer_with_its_key():
    sealed = idseal.seal(NUMBER, 7, KEY)
    assert sealed.startswith("v1:") and NUMBER not in sealed
    assert len(sealed) <= idseal.SEALED_LENGTH
    assert idseal.unseal(sealed, 7, KEY) == NUMBER
    # A new random nonce each time: the same number seals differently.
    assert idseal.seal(NUMBER, 7, KEY) != sealed


def test_another_key_does_not_open_it():
    sealed = idseal.seal(NUMBER, 7, KEY)
    other = idseal.key_from({"VOLUNTEER_ID_KEY": "another volunteer key"})
    with pytest.raises(idseal.Unreadable, match="does not open with this key"):
        idseal.unseal(sealed, 7, other)


def test_a_sealed_number_copied_to_another_volunteer_does_not_open_there():
    sealed = idseal.seal(NUMBER, 7, KEY)
    with pytest.raises(idseal.Unreadable, match="volunteers:8"):
        idseal.unseal(sealed, 8, KEY)


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s[:-2] + ("AA" if s[-2:] != "AA" else "BB"),  # the tag changed
        lambda s: s[:10] + ("A" if s[10] != "A" else "B") + s[11:],  # the nonce changed
        lambda s: s[:-4],  # cut short
        lambda s: "v2:" + s[3:],  # a version this code does not know
        lambda s: "v1:%%%not base64%%%",
        lambda s: "",  # never sealed
    ],
)
def test_a_tampered_sealed_number_does_not_open(damage):
    with pytest.raises(idseal.Unreadable) as caught:
        idseal.unseal(damage(idseal.seal(NUMBER, 7, KEY)), 7, KEY)
    assert NUMBER not in str(caught.value)


def test_the_sealing_key_differs_from_the_hash_key_from_either_secret():
    for config in ({"VOLUNTEER_ID_KEY": "a volunteer key"}, {"SECRET_KEY": "the secret"}):
        sealing = idseal.key_from(config)
        assert len(sealing) == 32
        assert sealing != idnumbers.key_from(config)
        assert sealing == idseal.key_from(dict(config))
    assert idseal.key_from({"VOLUNTEER_ID_KEY": "one"}) != idseal.key_from(
        {"VOLUNTEER_ID_KEY": "two"}
    )
    # VOLUNTEER_ID_KEY, when set, is the source, not SECRET_KEY.
    assert idseal.key_from(
        {"VOLUNTEER_ID_KEY": "a volunteer key", "SECRET_KEY": "the secret"}
    ) == idseal.key_from({"VOLUNTEER_ID_KEY": "a volunteer key"})


def test_the_database_row_holds_no_whole_number(session, app_context):
    tree = factories.tree(session)
    resident = factories.user(session, name="李秀英")
    number = factories.id_number(date(1960, 5, 1))
    made = service.apply(
        session, resident, community=tree.community, real_name="李秀英", id_number=number,
        id_consent=True, services=["company"], now=NOW,
    )  # fmt: skip
    row = session.execute(text("SELECT * FROM volunteers WHERE id = :id"), {"id": made.id})
    values = [str(value) for value in row.one()]
    # (The keyed hash is hex and may hold a run of digits by chance: no column is a number.)
    assert not [value for value in values if number in value or WHOLE.fullmatch(value)]
    assert idnumbers.mask(number) in values
    assert service.reveal_id_number(session, resident, made, now=NOW) == number


@pytest.fixture
def unreadable(session, app_context):
    """A volunteer whose sealed number was moved from another volunteer's row."""
    tree = factories.tree(session)
    made, other = (factories.volunteer(session, tree.community) for _ in range(2))
    made.id_number_sealed = other.id_number_sealed
    session.flush()
    return made


def test_a_number_that_does_not_open_is_refused_plainly_and_logged_without_it(
    session, unreadable, caplog
):
    coordinator = factories.user(session, Role.COORDINATOR, unreadable.community)
    with (
        caplog.at_level(logging.ERROR, logger="portal.volunteering"),
        pytest.raises(Invalid, match="cannot be read at the moment"),
    ):
        service.reveal_id_number(session, coordinator, unreadable, reason="核对保险", now=NOW)
    assert f"volunteers:{unreadable.id}" in caplog.text
    assert not WHOLE.search(caplog.text)
    reveals = select(AuditEvent).where(AuditEvent.action == "volunteering.reveal_id_number")
    assert session.scalars(reveals).all() == []
    with pytest.raises(Invalid, match="cannot be read at the moment"):
        service.reveal_id_number(session, unreadable.user, unreadable, now=NOW)
