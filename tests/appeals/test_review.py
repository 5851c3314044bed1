"""The resident's rating and what follows it: the loop ends, reopens one level up, or waits for
the street office's call-back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from portal.appeals import clockwork, services
from portal.appeals.labels import event_label
from portal.appeals.models import AppealState, EventKind
from portal.errors import Forbidden
from tests.accounts.test_views import EN, sign_in_staff
from tests.appeals.conftest import (
    MINUTE,
    file_appeal,
    item,
    messages,
    resolved,
)

pytestmark = pytest.mark.usefixtures("app_context")


@pytest.mark.parametrize("rating", ["satisfied", "basically_satisfied"])
def test_a_satisfied_rating_completes_the_loop(session, tree, staff, now, rating, settings):
    appeal = resolved(session, tree, staff, now)
    services.review(
        session, appeal, rating, "谢谢", now=now + timedelta(hours=1), settings=settings
    )
    assert appeal.state == AppealState.REVIEWED and appeal.rating == rating
    assert appeal.closed_at == appeal.reviewed_at == now + timedelta(hours=1)
    assert not any(clockwork.sweep(session, now + timedelta(days=30), settings=settings).values())


def test_dissatisfied_reopens_one_level_up_then_asks_the_street_to_call_back(
    session, tree, staff, now, settings
):
    appeal = resolved(session, tree, staff, now)
    later = now + timedelta(hours=2)
    services.review(session, appeal, "dissatisfied", "还是堆着", now=later, settings=settings)
    assert appeal.state == AppealState.REOPENED and appeal.reopen_count == 1
    assert appeal.level == 2 and appeal.queue_place == tree.community
    assert appeal.accept_due_at == later + 10 * MINUTE and appeal.handler_id is None
    assert [m.phone for m in messages(session, "appeal_reopened")] == [staff.secretary.phone]
    with pytest.raises(Forbidden):
        services.accept(session, staff.grid_worker, appeal, now=later)

    services.accept(session, staff.secretary, appeal, now=later + MINUTE)
    services.resolve(
        session,
        staff.secretary,
        appeal,
        "已联系物业清运",
        now=later + 2 * MINUTE,
        settings=settings,
    )
    services.review(session, appeal, "dissatisfied", "", now=later + 3 * MINUTE, settings=settings)
    assert appeal.state == AppealState.REVIEWED and appeal.needs_callback
    assert appeal.queue_place == tree.street and appeal.is_open
    assert [m.phone for m in messages(session, "appeal_callback")] == [staff.officer.phone]
    with pytest.raises(Forbidden):
        services.call_back(session, staff.secretary, appeal, "已回访", now=later)
    services.call_back(
        session, staff.officer, appeal, "已电话回访，居民表示理解", now=later + 4 * MINUTE
    )
    assert appeal.state == AppealState.CLOSED and not appeal.is_open
    kinds = [e.kind for e in services.timeline(session, appeal)]
    assert kinds.count(EventKind.REOPENED) == 1 and kinds[-1] == EventKind.CALLED_BACK


def test_the_call_back_is_the_street_offices_even_for_a_units_item(
    session, tree, staff, department, now, settings
):
    rubbish = item(session, "rubbish-in-corridor")
    rubbish.unit = department.unit
    appeal = file_appeal(session, tree.building, now, item_id=rubbish.id)
    services.accept(session, staff.grid_worker, appeal, now=now)
    services.resolve(session, staff.grid_worker, appeal, "已处理", now=now, settings=settings)
    services.review(session, appeal, "dissatisfied", "", now=now, settings=settings)
    services.accept(session, staff.secretary, appeal, now=now)
    services.resolve(session, staff.secretary, appeal, "再次处理", now=now, settings=settings)
    services.review(session, appeal, "dissatisfied", "还是不行", now=now, settings=settings)
    assert appeal.unit is None and appeal.queue_place == tree.street


def test_a_reopened_appeal_keeps_every_rating_with_its_comment(session, tree, staff, now, settings):
    appeal = resolved(session, tree, staff, now)
    later = now + timedelta(hours=2)
    services.review(
        session, appeal, "dissatisfied", "楼道里还有两袋没清走。", now=later, settings=settings
    )
    services.accept(session, staff.secretary, appeal, now=later + MINUTE)
    services.resolve(
        session, staff.secretary, appeal, "已清走", now=later + 2 * MINUTE, settings=settings
    )
    services.review(session, appeal, "satisfied", "谢谢", now=later + 3 * MINUTE, settings=settings)
    given = services.ratings(session, appeal)
    assert [(r.rating, r.comment, r.rated_at) for r in given] == [
        ("dissatisfied", "楼道里还有两袋没清走。", later),
        ("satisfied", "谢谢", later + 3 * MINUTE),
    ]
    rated = [e for e in services.timeline(session, appeal) if e.kind == EventKind.REVIEWED]
    assert [e.details["rating_id"] for e in rated] == [r.id for r in given]


def test_the_secretary_reads_why_the_resident_was_not_satisfied(
    client, session, tree, staff, now, settings
):
    appeal = resolved(session, tree, staff, now)
    services.review(
        session, appeal, "dissatisfied", "楼道里还有两袋没清走。", now=now, settings=settings
    )
    session.commit()
    sign_in_staff(client, staff.secretary)
    page = client.get(f"/staff/appeals/{appeal.tracking}", headers=EN).get_data(as_text=True)
    ratings, timeline = page.split("Timeline")
    assert "Not satisfied" in ratings and "The resident wrote: 楼道里还有两袋没清走。" in ratings
    assert "The resident wrote: 楼道里还有两袋没清走。" in timeline
    # The tracking page, which anyone with the number opens, does not show it.
    public = client.get(f"/t/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "楼道里还有两袋没清走" not in public


@pytest.mark.parametrize(
    ("locale", "label"),
    [("zh_Hans_CN", "居民已评价：不满意"), ("en", "Rated by the resident: Not satisfied")],
)
def test_the_rating_step_is_one_message_in_the_readers_language(
    session, tree, staff, now, settings, locale, label
):
    appeal = resolved(session, tree, staff, now)
    services.review(session, appeal, "dissatisfied", "", now=now, settings=settings)
    rated = next(e for e in services.timeline(session, appeal) if e.kind == EventKind.REVIEWED)
    with force_locale(locale):
        assert event_label(rated) == label
