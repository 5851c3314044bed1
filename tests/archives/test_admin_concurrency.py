"""Two administrators at once, on SQLite and PostgreSQL: adding the same code, or the same
archivist to an archive, leaves one row, and the one who came second is told why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.archives import archive_admin, kind_admin
from portal.archives.models import Archive, ArchiveMember, RecordKind
from portal.db import db
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import outcomes, together
from tests.archives import helpers
from tests.conftest import dispose, make_test_app, migrated_engine

NOW = helpers.TUESDAY_10AM


@pytest.fixture(scope="module")
def app(database):
    """One database of its own for the module (migrating one per test costs PostgreSQL many
    seconds), committed to by the threads; each test adds rows of its own."""
    url = database.new_url()
    migrated_engine(url).dispose()
    made = make_test_app(url)
    yield made
    dispose(made)


@pytest.fixture(scope="module")
def setting(app):
    """The world, two administrators of its district, and an archivist not yet a member."""
    with app.test_request_context():
        world = helpers.world(db.session)
        admins = [factories.user(db.session, Role.ADMIN, world.tree.district).id for _ in "ab"]
        newcomer = factories.user(db.session, Role.ARCHIVIST, world.tree.district)
        ids = {"admins": admins, "street": world.tree.other_street.id,
               "archive": world.archive.id, "phone": newcomer.phone}  # fmt: skip
        db.session.commit()
    return ids


def test_two_administrators_adding_the_same_archive_code_make_one(app, setting):
    def add(index: int) -> None:
        admin = db.session.get(User, setting["admins"][index])
        archive_admin.create_archive(
            db.session, admin, code="second-street", place_id=setting["street"],
            name_zh=f"第二街道档案室{index}", name_en="Second Street", address_zh="第二街道",
            address_en="", phone="", now=NOW,
        )  # fmt: skip

    results = together(app, 2, add)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert "Another archive already has this code." in [message for _, message in results]
    with app.app_context():
        made = db.session.scalars(select(Archive).where(Archive.code == "second-street")).all()
        assert len(made) == 1


def test_two_administrators_adding_the_same_archivist_make_one_membership(app, setting):
    def add(index: int) -> None:
        admin = db.session.get(User, setting["admins"][index])
        archive = db.session.get(Archive, setting["archive"])
        archive_admin.add_member(db.session, admin, archive, setting["phone"], now=NOW)

    results = together(app, 2, add)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    assert "This archivist works this archive already." in [message for _, message in results]
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(ArchiveMember)
            .where(ArchiveMember.archive_id == setting["archive"])
        )
        assert count == 3  # the two of the world, and the newcomer once


def test_two_administrators_adding_the_same_kind_code_make_one(app, setting):
    with app.app_context():
        portal_admins = [factories.user(db.session, Role.ADMIN, None).id for _ in "ab"]
        db.session.commit()

    def add(index: int) -> None:
        admin = db.session.get(User, portal_admins[index])
        kind_admin.create_kind(db.session, admin, code="pension", name_zh=f"养老保险{index}",
                               name_en="Pension", checklist={"self": ["requester_id"]},
                               now=NOW)  # fmt: skip

    results = together(app, 2, add)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(RecordKind).where(RecordKind.code == "pension")
            )
            == 1
        )
