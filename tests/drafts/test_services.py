"""Form drafts without HTTP: kept a day from their last change, found only for their own
form, emptied when sent, and purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.drafts import services
from portal.drafts.models import Draft

pytestmark = pytest.mark.usefixtures("app_context")


def test_a_draft_is_found_for_its_own_form_only(session, now):
    draft = services.start(session, "appeals.report", now)
    services.keep(draft, {"fields": {"description": "楼道灯坏了"}}, now)
    session.commit()
    found = services.find(session, draft.key, "appeals.report", now)
    assert found is draft and found.answers == {"fields": {"description": "楼道灯坏了"}}
    assert services.find(session, draft.key, "legal.question", now) is None
    assert services.find(session, "not-a-key", "appeals.report", now) is None
    assert services.find(session, None, "appeals.report", now) is None
    assert len(draft.key) == 32, "a key nobody guesses"


def test_a_draft_is_kept_a_day_from_its_last_change(session, now):
    draft = services.start(session, "appeals.report", now - timedelta(hours=30))
    services.keep(draft, {"fields": {"name": "张阿姨"}}, now - timedelta(hours=23))
    session.commit()
    assert services.find(session, draft.key, "appeals.report", now) is draft
    later = now + timedelta(hours=1, seconds=1)
    assert services.find(session, draft.key, "appeals.report", later) is None


def test_a_sent_draft_keeps_what_it_became_and_nothing_typed(session, now):
    draft = services.start(session, "appeals.report", now)
    services.keep(draft, {"fields": {"phone": "13712345678"}}, now)
    services.finish(draft, "A2612-7K3Q", now)
    session.commit()
    session.expire_all()
    kept = session.get(Draft, draft.key)
    assert kept.answers == {} and kept.outcome == "A2612-7K3Q"


def test_the_purge_takes_drafts_untouched_for_a_day(session, now):
    old = services.start(session, "appeals.report", now - services.KEEP - timedelta(minutes=1))
    fresh = services.start(session, "appeals.report", now - timedelta(hours=1))
    session.commit()
    keys = old.key, fresh.key
    assert services.purge(session, now) == 1
    assert session.scalars(select(Draft.key).where(Draft.key.in_(keys))).all() == [fresh.key]
