"""Two people withdrawing the same document at the same moment, on SQLite and PostgreSQL:
one withdraws it, the other is told it is withdrawn already, and the reason is not replaced."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.db import db, utcnow
from portal.permissions import Role
from portal.verification import services
from portal.verification.models import IssuedDocument
from tests import factories
from tests.accounts.test_concurrency import outcomes, together
from tests.verification.conftest import CERTIFICATE, FACTS


def test_a_document_withdrawn_by_two_people_at_once_is_withdrawn_once(fresh_app):
    app = fresh_app(migrate=True)
    with app.app_context():
        tree = factories.tree(db.session)
        secretaries = [factories.user(db.session, Role.SECRETARY, tree.community) for _ in range(2)]
        document = services.issue(
            db.session, secretaries[0], CERTIFICATE, subject="volunteering:7",
            place=tree.community, facts=FACTS, now=utcnow(),
        )  # fmt: skip
        db.session.commit()
        ids = [secretary.id for secretary in secretaries]

    def withdraw(index: int) -> None:
        secretary = db.session.get(type(secretaries[0]), ids[index])
        found = db.session.get(IssuedDocument, document.id)
        services.withdraw(
            db.session, secretary, CERTIFICATE, found, reason=f"reason {index}", now=utcnow()
        )

    results = together(app, 2, withdraw)
    assert outcomes(results) == {"ok": 1, "Invalid": 1}
    winner = ids[[outcome for outcome, _message in results].index("ok")]
    with app.app_context():
        found = db.session.get(IssuedDocument, document.id)
        assert found.withdrawn_by_id == winner
        assert found.withdrawal_reason == f"reason {ids.index(winner)}"
        entries = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "verification.withdraw")
        ).all()
        assert [entry.actor_id for entry in entries] == [winner]
