"""The public ranking of grid points: most points first with ties sharing a rank, this month or
this year, a community or one of its grids, names masked, residents who left not listed (their
points unchanged); the page in both languages, signed out too, and leaving and coming back."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.db import db
from portal.errors import Forbidden, NotFound
from portal.permissions import SYSTEM
from portal.points import awards, ranking
from portal.points.models import AwardState, PointsAward, RankingExit
from portal.points.tallies import periods_of
from tests import factories
from tests.accounts.test_concurrency import together
from tests.accounts.test_views import EN, page, sign_in_by_sms
from tests.points.test_awards import balance_of
from tests.points.test_views import another
from tests.points.world import NOW, make_world

MONTH, YEAR = periods_of(NOW)
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def earn(session, world, user, points, *, grid=None, community=None, now=NOW) -> PointsAward:
    """Credit `points` to `user` in a community (and grid), as a credited award does."""
    made = PointsAward(
        rule_id=world.cleanup.id, community_id=(community or world.tree.community).id,
        grid_id=grid.id if grid else None, user_id=user.id, points=points, reason="清洁",
        state=AwardState.NOTICE, proposed_by_id=world.coordinator.id, created_at=now,
    )  # fmt: skip
    session.add(made)
    session.flush()
    awards.credit(session, SYSTEM, made, now=now)
    return made


def resident(session, name: str, phone: str | None = None):
    return factories.user(session, name=name, phone=phone)


@pytest.fixture
def world(session, app_context):
    return make_world(session)


# --- the service ------------------------------------------------------------------------------


def test_most_points_first_and_equal_points_share_a_rank(session, world):
    people = [resident(session, name) for name in ("欧阳娜娜", "李四", "王五", "赵六")]
    for person, points in zip(people, (30, 20, 20, 10), strict=True):
        earn(session, world, person, points)
    listed = ranking.ranking(session, world.tree.community, MONTH)
    assert [(each.rank, each.points) for each in listed] == [(1, 30), (2, 20), (2, 20), (4, 10)]
    assert [each.name for each in listed] == ["欧***", "李*", "王*", "赵*"]
    assert len(ranking.ranking(session, world.tree.community, MONTH, limit=2)) == 2


def test_names_are_masked_and_a_nameless_resident_shows_a_masked_number(session, world):
    earn(session, world, world.resident, 5)
    earn(session, world, resident(session, "", phone="13912345678"), 4)
    earn(session, world, resident(session, "Li Wei"), 3)
    names = [each.name for each in ranking.ranking(session, world.tree.community, MONTH)]
    assert names == ["张**", "139****5678", "L. W."]
    assert "三丰" not in str(names) and "13912345678" not in str(names)


def test_this_month_and_this_year_count_their_own_awards(session, world):
    other = resident(session, "李四")
    earn(session, world, world.resident, 50, now=NOW - timedelta(days=40))  # October
    earn(session, world, world.resident, 5)
    earn(session, world, other, 10)
    month = ranking.ranking(session, world.tree.community, ranking.period_of("month", NOW))
    year = ranking.ranking(session, world.tree.community, ranking.period_of("year", NOW))
    assert [(each.name, each.points) for each in month] == [("李*", 10), ("张**", 5)]
    assert [(each.name, each.points) for each in year] == [("张**", 55), ("李*", 10)]
    assert ranking.period_of("anything else", NOW) == MONTH == "2026-12" and YEAR == "2026"


def test_a_grid_counts_only_awards_in_it_and_the_community_counts_all(session, world):
    other = resident(session, "李四")
    earn(session, world, world.resident, 5, grid=world.tree.grid)
    earn(session, world, other, 10)
    earn(session, world, resident(session, "王五"), 7, community=world.tree.other_community,
         grid=world.tree.other_grid)  # fmt: skip
    in_grid = ranking.ranking(session, world.tree.grid, MONTH)
    in_community = ranking.ranking(session, world.tree.community, MONTH)
    assert [(each.name, each.points) for each in in_grid] == [("张**", 5)]
    assert [(each.name, each.points) for each in in_community] == [("李*", 10), ("张**", 5)]


def test_a_resident_who_left_is_not_listed_and_keeps_their_points(session, world):
    other = resident(session, "李四")
    earn(session, world, world.resident, 30)
    earn(session, world, other, 10)
    assert ranking.leave(session, world.resident, NOW) is True
    assert ranking.leave(session, world.resident, NOW) is False
    listed = ranking.ranking(session, world.tree.community, MONTH)
    assert [(each.rank, each.name) for each in listed] == [(1, "李*")]
    assert balance_of(session, world.resident) == 30
    # They still see where they stand; the one below them is first among those listed.
    mine = ranking.standing(session, world.tree.community, MONTH, world.resident)
    assert (mine.points, mine.rank, mine.left) == (30, 1, True)
    theirs = ranking.standing(session, world.tree.community, MONTH, other)
    assert (theirs.points, theirs.rank, theirs.left) == (10, 1, False)
    assert ranking.rejoin(session, world.resident, NOW) is True
    assert ranking.rejoin(session, world.resident, NOW) is False
    assert [each.name for each in ranking.ranking(session, world.tree.community, MONTH)] == [
        "张**", "李*"
    ]  # fmt: skip
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("points.%_ranking"))
    ).all()
    assert sorted(actions) == ["points.leave_ranking", "points.rejoin_ranking"]


def test_standing_is_one_more_than_those_listed_above(session, world):
    for name, points in (("李四", 40), ("王五", 40), ("赵六", 5)):
        earn(session, world, resident(session, name), points)
    earn(session, world, world.resident, 20)
    mine = ranking.standing(session, world.tree.community, MONTH, world.resident)
    assert (mine.points, mine.rank, mine.left) == (20, 3, False)
    assert ranking.standing(session, world.tree.grid, MONTH, world.resident) is None
    assert ranking.standing(session, world.tree.community, MONTH, AnonymousUserMixin()) is None


def test_the_communities_a_resident_earned_in_link_to_their_rankings(session, world):
    assert ranking.earned_in(session, world.resident) == []
    earn(session, world, world.resident, 5)
    earn(session, world, world.resident, 5, community=world.tree.other_community)
    earn(session, world, world.resident, 5)
    found = ranking.earned_in(session, world.resident)
    assert {each.id for each in found} == {world.tree.community.id, world.tree.other_community.id}


def test_a_signed_out_visitor_cannot_leave(session, world):
    with pytest.raises(Forbidden):
        ranking.leave(session, AnonymousUserMixin(), NOW)
    assert session.scalars(select(RankingExit)).all() == []


def test_a_communitys_grids_are_found_by_code(session, world):
    grids = ranking.grids_of(session, world.tree.community)
    assert [each.id for each in grids] == [world.tree.grid.id]
    assert ranking.grid_in(grids, world.tree.grid.code.lower()) == world.tree.grid
    assert ranking.grid_in(grids, "") is None
    with pytest.raises(NotFound):
        ranking.grid_in(grids, world.tree.other_grid.code)


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture
def site(session, app, monkeypatch):
    """The world, committed, with the ranking's clock at NOW."""
    monkeypatch.setattr("portal.points.views.ranking.utcnow", lambda: NOW)
    with app.test_request_context(headers=EN):
        made = make_world(session)
        earn(session, made, made.resident, 30, grid=made.tree.grid)
        earn(session, made, resident(session, "李四"), 10, now=NOW - timedelta(days=40))
        earn(session, made, resident(session, "王五"), 20)
    session.commit()
    return made


def test_the_ranking_is_public_in_chinese_and_in_english(app, session, site):
    visitor = another(app, session)
    url = f"/points/ranking/{site.tree.community.code}"
    chinese = visitor.get(url, headers=ZH).get_data(as_text=True)
    assert "2026年12月" in chinese and "甲社区" in chinese
    assert chinese.index("张**") < chinese.index("王*") and "李*" not in chinese
    assert "张三丰" not in chinese and "13800138000" not in chinese
    english = page(visitor, url)
    assert "December 2026" in english and "No. 1" in english and "30 points" in english
    year = page(visitor, url + "?period=year")
    assert "李*" in year and "<h1>Grid points ranking: 甲社区 (en), 2026</h1>" in year
    grid = page(visitor, f"{url}?grid={site.tree.grid.code}")
    assert "张**" in grid and "王*" not in grid and "甲社区第一网格 (en)" in grid
    assert 'method="post"' not in english.split("</header>")[1]


@pytest.mark.parametrize(
    "path",
    [
        "/points/ranking/NOPE",
        "/points/ranking/{grid}",
        "/points/ranking/{community}?grid={other_grid}",
    ],
)
def test_an_unknown_community_or_grid_is_not_found(app, session, site, path):
    url = path.format(community=site.tree.community.code, grid=site.tree.grid.code,
                      other_grid=site.tree.other_grid.code)  # fmt: skip
    assert another(app, session).get(url, headers=EN).status_code == 404


def test_a_resident_leaves_from_their_points_page_and_comes_back(app, session, site, sms):
    browser = another(app, session)
    sign_in_by_sms(browser, sms, site.resident.phone)
    mine = page(browser, "/points/")
    assert f"/points/ranking/{site.tree.community.code}" in mine
    assert "Leave the ranking" in mine and "Your points stay the same" in mine
    response = browser.post("/points/ranking/leave", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/points/"
    assert "Come back to the ranking" in page(browser, "/points/")
    shown = page(browser, f"/points/ranking/{site.tree.community.code}")
    assert "You have left the ranking." in shown and "Your place, were you listed" in shown
    assert "张**" not in shown and balance_of(session, site.resident) == 30
    assert browser.post("/points/ranking/rejoin", headers=EN).status_code == 302
    assert "张**" in page(browser, f"/points/ranking/{site.tree.community.code}")
    assert session.get(RankingExit, site.resident.id) is None


def test_signed_out_no_one_leaves_or_rejoins(app, session, site):
    visitor = another(app, session)
    for url in ("/points/ranking/leave", "/points/ranking/rejoin"):
        response = visitor.post(url, headers=EN)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert session.scalars(select(RankingExit)).all() == []


def test_the_notice_and_the_door_lead_to_the_ranking(app, session, site):
    visitor = another(app, session)
    ranking_url = f"/points/ranking/{site.tree.community.code}"
    assert ranking_url in page(visitor, f"/points/notice/{site.tree.community.code}")
    assert ranking_url in page(visitor, f"/b/{site.tree.building.public_code}")


# --- two taps at once, on SQLite and PostgreSQL ------------------------------------------------


def test_two_taps_on_leave_at_once_leave_once(fresh_app):
    app = fresh_app(migrate=True)
    with app.app_context():
        made = factories.user(db.session, name="张三丰")
        db.session.commit()
        user_id = made.id

    def tap(_index: int) -> None:
        ranking.leave(db.session, db.session.get(User, user_id), NOW)

    assert Counter(outcome for outcome, _ in together(app, 2, tap)) == {"ok": 2}
    with app.app_context():
        assert db.session.get(RankingExit, user_id) is not None
        recorded = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "points.leave_ranking")
        ).all()
        assert len(recorded) == 1
