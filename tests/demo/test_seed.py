"""The demo district: its size, its accounts, that seeding twice adds nothing, and that the
README's table of demo log-ins is what `demo seed` prints."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from portal.accounts.models import RoleGrant, User
from portal.db import db, utcnow
from portal.demo import data
from portal.doors.services import poster_facts
from portal.permissions import STAFF_ROLES, SYSTEM, Role
from portal.places.models import Building, Place, PlaceKind
from portal.units.models import Unit
from tests.conftest import Database, dispose, make_test_app

README = Path(__file__).resolve().parents[2] / "README.md"
# A printed log-in: "  13800138003  password … at /staff/sign-in  王强 (Grid worker, Tangwei …)".
PRINTED_LOGIN = re.compile(r"  (\d{11})  (.+?)  (\S+) \(([^,]+)(?:, (.+))?\)")

pytestmark = pytest.mark.usefixtures("english_terminal")


@pytest.fixture(scope="module")
def demo(database: Database) -> Iterator[tuple[Flask, list[Result]]]:
    """A database set up as `make run` sets it up, twice over; the app and what each
    `demo seed` printed (in English)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LC_ALL", "en_US.UTF-8")
        app = make_test_app(database.new_url())
        runner = app.test_cli_runner()
        printed = []
        for _ in range(2):
            assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
            printed.append(runner.invoke(args=["demo", "seed"]))
        yield app, printed
    dispose(app)


def test_make_run_set_up_twice_builds_one_demo_district(demo):
    app, printed = demo
    assert all(result.exit_code == 0 for result in printed), printed[-1].output
    result = printed[-1]
    assert "was not added again" in result.output
    assert "13800138008" in result.output and data.STAFF_PASSWORD in result.output

    with app.app_context():
        places = db.session.scalars(select(Place)).all()
        kinds = Counter(place.kind.value for place in places)
        assert kinds == {"district": 1, "street": 2, "community": 4, "grid": 12}
        # Door pages and posters have someone to call everywhere.
        assert all(place.phone for place in places if place.kind.value in ("community", "grid"))
        communities = [place for place in places if place.kind.value == "community"]
        assert all(place.service_hours_zh for place in communities)
        # ...and say where their service centre is, in both languages.
        assert all(
            place.name_zh in place.service_centre_zh and place.service_centre_en
            for place in communities
        )
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


def readme_demo_logins() -> list[tuple[str, str, str, str, str]]:
    """The rows of the README's table of demo log-ins: phone, name, role, where, how."""
    section = README.read_text(encoding="utf-8").split("\n## Demo log-ins\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip().replace("`", "") for cell in line.strip("|").split("|")]
        if cells[0].isdigit():
            phone, name, role, where, how = cells
            rows.append((phone, name, role, where, how))
    return rows


def printed_demo_logins(output: str) -> list[tuple[str, str, str, str, str]]:
    """The log-ins `demo seed` printed, in the README's columns (no place: "—")."""
    rows = []
    for line in output.split("Demo log-ins", 1)[1].splitlines()[1:]:
        if not line:
            break
        phone, how, name, role, where = PRINTED_LOGIN.fullmatch(line).groups()
        rows.append((phone, name, role, where or "—", how))
    return rows


def test_the_readme_lists_every_demo_log_in_that_demo_seed_prints(demo):
    app, results = demo
    printed = printed_demo_logins(results[0].output)
    assert printed == readme_demo_logins()
    assert ("13800138009", "黄建华", "Street or department officer",
            "Minghu District Housing and Construction Bureau",
            f"password {data.STAFF_PASSWORD} at /staff/sign-in") in printed  # fmt: skip
    # The volunteer is a resident who helps out: no password, an SMS code like any resident.
    assert ("13800138002", "李秀英", "Volunteer", "Tangwei Community",
            "SMS code at /sign-in") in printed  # fmt: skip
    with app.app_context():
        names = dict(db.session.execute(select(User.phone, User.display_name)).all())
        assert {phone: name for phone, name, *_rest in printed} == names


def test_every_grid_has_a_grid_worker_and_every_community_a_secretary(demo):
    app, _printed = demo
    with app.app_context():
        session = db.session
        doors = poster_facts(session, SYSTEM, None)
        assert len(doors) == 60
        assert all(door.workers for door in doors), "a door page would show a placeholder"

        def codes_of(kind: PlaceKind) -> set[str]:
            return set(session.scalars(select(Place.code).where(Place.kind == kind)))

        def codes_held(role: Role) -> set[str]:
            held = select(Place.code).join(RoleGrant, RoleGrant.place_id == Place.id)
            return set(session.scalars(held.where(RoleGrant.role == role)))

        assert codes_held(Role.GRID_WORKER) == codes_of(PlaceKind.GRID)
        assert codes_held(Role.SECRETARY) == codes_of(PlaceKind.COMMUNITY)
        # One deputy secretary a community, each an account of their own.
        deputies = session.execute(
            select(Place.code, RoleGrant.user_id)
            .join(RoleGrant, RoleGrant.place_id == Place.id)
            .where(RoleGrant.role == Role.DEPUTY_SECRETARY)
        ).all()
        assert sorted(code for code, _user in deputies) == sorted(codes_of(PlaceKind.COMMUNITY))
        assert len({user for _code, user in deputies}) == len(deputies)
        district = session.scalar(select(Place).where(Place.kind == PlaceKind.DISTRICT))
        units = session.scalars(select(Unit)).all()
        assert units and all(unit.name_zh.startswith(district.name_zh) for unit in units)
        assert all(unit.name_en.startswith(district.name_en) for unit in units)


def test_every_demo_host_has_times_to_book_and_seeding_twice_adds_none(demo):
    from portal.meetings.models import MeetingKind, Schedule

    app, printed = demo
    assert all(result.exit_code == 0 for result in printed)
    with app.app_context():
        rows = db.session.scalars(select(Schedule)).all()
        by_kind = Counter(row.kind for row in rows)
        # A secretary and a deputy, and a legal adviser, for each of the 4 communities, once.
        assert by_kind == {MeetingKind.SECRETARY: 8, MeetingKind.LEGAL: 4}
        assert len({(row.host_id, row.place_id, row.kind) for row in rows}) == 12
        secretary = next(row for row in rows if row.kind is MeetingKind.SECRETARY)
        assert secretary.weekly["0"] == [["09:00", "11:30"], ["14:00", "17:00"]]
        assert (secretary.slot_minutes, secretary.buffer_minutes, secretary.daily_cap) == (
            20,
            10,
            8,
        )
        legal = next(row for row in rows if row.kind is MeetingKind.LEGAL)
        assert legal.month_days == [{"days": [8, 18, 28], "hours": [["09:00", "11:30"]]}]
        assert legal.weekly == {} and legal.place.kind is PlaceKind.COMMUNITY


def test_the_demo_district_has_its_grid_points_rules_once(demo):
    from portal.points.models import PointsRule

    app, printed = demo
    assert all(result.exit_code == 0 for result in printed)
    with app.app_context():
        rules = db.session.scalars(select(PointsRule).order_by(PointsRule.id)).all()
        assert [rule.name_zh for rule in rules] == [each[0] for each in data.POINTS_RULES] + [
            each[1] for each in data.POINTS_SOURCE_RULES
        ]
        # One rule for each built-in source: volunteer hours earn 10 an hour.
        assert {rule.source: rule.points for rule in rules if rule.source != "deed"} == {
            "volunteer_hours": 10, "appeal_rated": 5, "meeting_attended": 5,
            "legal_day_attended": 5,
        }  # fmt: skip
        cleanup = rules[0]
        assert (cleanup.points, cleanup.needs_review, cleanup.per_day) == (5, False, 5)
        assert {rule.district.code for rule in rules} == {data.DISTRICT[0]}


def test_the_demo_communitys_points_shop_has_its_rewards_once(demo):
    from portal.points.models import Reward

    app, printed = demo
    assert all(result.exit_code == 0 for result in printed)
    with app.app_context():
        rewards = db.session.scalars(select(Reward).order_by(Reward.id)).all()
        assert [(r.name_zh, r.kind.value, r.price, r.stock, r.per_person) for r in rewards] == [
            (name, kind, price, stock, per_person)
            for kind, name, _en, price, stock, per_person in data.SHOP_REWARDS
        ]
        assert {r.community.code for r in rewards} == {data.SHOP_COMMUNITY}
        assert None not in {r.created_by_id for r in rewards}


def test_the_demo_has_its_published_legal_answers_once_and_they_are_found(demo):
    from portal.legal import anonymise, faq_search
    from portal.legal.models import Faq, FaqState

    app, printed = demo
    assert all(result.exit_code == 0 for result in printed)
    with app.app_context():
        faqs = db.session.scalars(select(Faq)).all()
        assert len(faqs) == 4 and {faq.state for faq in faqs} == {FaqState.PUBLISHED}
        assert not any(anonymise.check(faq.question, faq.answer, ["张建国"]) for faq in faqs)
        assert faq_search.search(db.session, "押金", None, None).total == 1


def test_the_demo_has_its_two_archives_their_archivists_seals_and_queries_once(demo):
    from PIL import Image

    from portal.archives import access, archive_admin, identity, letters
    from portal.archives.models import Archive, ArchiveRequest, RecordKind, RequestState
    from portal.uploads.web import store

    app, printed = demo
    assert all(result.exit_code == 0 for result in printed)
    with app.test_request_context():
        session = db.session
        archives = {a.code: a for a in session.scalars(select(Archive).order_by(Archive.id))}
        assert list(archives) == ["district-archive", "fenghuang-archive"]
        district, street = archives.values()
        assert (district.place.code, street.place.code) == ("440399", "440399001")
        assert (district.name_zh, street.name_zh) == ("明湖区档案馆", "凤凰街道档案室")
        kinds = session.scalar(select(func.count()).select_from(RecordKind))
        assert len(archive_admin.kept_kind_ids(session, district)) == kinds
        kept = archive_admin.kept_kind_ids(session, street)
        marriage = session.scalar(select(RecordKind.id).where(RecordKind.code == "marriage"))
        assert len(kept) == 4 and marriage in kept
        people = {user.phone: user for user in session.scalars(select(User))}
        assert access.works(session, people["13800138007"], district)
        assert access.works(session, people["13800138040"], street)
        assert not access.works(session, people["13800138040"], district)
        for archive in archives.values():
            seal = archive_admin.seal_of(session, archive)
            with Image.open(store().path(seal.name)) as image:
                assert image.size == (400, 400) and image.getpixel((200, 200))[0] > 150
        # The demo resident's queries, one at each stage, once.
        made = session.scalars(select(ArchiveRequest).order_by(ArchiveRequest.id)).all()
        assert [(r.archive.code, r.state) for r in made] == [
            ("district-archive", RequestState.SUBMITTED),
            ("district-archive", RequestState.AWAITING_DOCUMENTS),
            ("fenghuang-archive", RequestState.ANSWERED),
        ]
        assert {r.user.phone for r in made} == {data.PEOPLE[0][1]}
        waiting, answered = made[1], made[2]
        assert waiting.due_at is None and waiting.days_left is not None and waiting.more_asked
        numbers = identity.reveal(session, people["13800138007"], waiting, now=utcnow())
        assert (numbers.requester, numbers.subject) == (
            data.ARCHIVE_RESIDENT_ID, data.ARCHIVE_REQUESTS[1][4]
        )  # fmt: skip
        letter = letters.letter_of(session, answered)
        assert letter is not None and letter.withdrawn_at is None
        assert letter.facts["person"] == "张*国" and answered.file_number
        session.rollback()
