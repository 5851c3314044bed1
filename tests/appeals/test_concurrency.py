"""Two taps on "Send the rating" at the same moment, on SQLite and PostgreSQL: one rating is
kept, with its comment, and the appeal reopens once."""

from __future__ import annotations

from sqlalchemy import select

from portal.appeals import services
from portal.appeals.models import Appeal, AppealRating, AppealState
from portal.catalogue.services import seed_catalogue
from portal.db import db, utcnow
from portal.permissions import Role
from tests import factories
from tests.accounts.test_concurrency import app, outcomes, together  # noqa: F401 (app: a fixture)
from tests.appeals.conftest import current_settings, file_appeal

COMMENTS = ["楼道里还有两袋没清走。", "还是没清理干净"]


def test_a_rating_sent_twice_at_once_is_kept_once(app):  # noqa: F811
    with app.test_request_context():
        tree = factories.tree(db.session)
        seed_catalogue(db.session)
        worker = factories.user(db.session, Role.GRID_WORKER, tree.grid, name="王网格")
        factories.user(db.session, Role.SECRETARY, tree.community, name="陈书记")
        now = utcnow()
        appeal = file_appeal(db.session, tree.building, now)
        services.accept(db.session, worker, appeal, now=now)
        services.resolve(db.session, worker, appeal, "已清理", now=now, settings=current_settings())
        appeal_id = appeal.id
        db.session.commit()

    def rate(index: int) -> None:
        appeal = db.session.get(Appeal, appeal_id)
        services.review(
            db.session,
            appeal,
            "dissatisfied",
            COMMENTS[index],
            now=utcnow(),
            settings=current_settings(),
        )

    results = together(app, len(COMMENTS), rate)
    assert outcomes(results)["ok"] == 1 and len(results) == 2
    with app.app_context():
        [kept] = db.session.scalars(select(AppealRating)).all()
        appeal = db.session.get(Appeal, appeal_id)
        assert appeal.state == AppealState.REOPENED and appeal.reopen_count == 1
        assert kept.comment == COMMENTS[[outcome for outcome, _ in results].index("ok")]
