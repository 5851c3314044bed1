"""The appeals' periodic jobs run in the worker: a missed deadline is acted on by `worker --once`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.appeals.models import Appeal
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.permissions import Role
from tests import factories
from tests.appeals.conftest import file_appeal


def test_the_worker_passes_up_an_appeal_nobody_took_in_ten_minutes(fresh_app, english_terminal):
    app = fresh_app(migrate=True)
    assert app.extensions["portal.jobs"]["appeals.sweep"].every == timedelta(seconds=30)
    with app.test_request_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        factories.user(db.session, Role.SECRETARY, tree.community)
        appeal = file_appeal(db.session, tree.building, utcnow() - timedelta(minutes=11))
        db.session.commit()
        appeal_id, community_id = appeal.id, tree.community.id

    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Periodic job appeals.sweep" in result.output
    with app.app_context():
        appeal = db.session.scalars(select(Appeal).where(Appeal.id == appeal_id)).one()
        assert appeal.queue_place_id == community_id and appeal.escalations == 1
