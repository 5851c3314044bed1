"""Correcting the kind of problem an appeal was filed under: a resident who chose "something
else" (其他问题) said it in their own words, and staff put it where it belongs."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.models import Appeal, EventKind
from portal.appeals.services.access import require_act
from portal.appeals.services.timeline import add_event, audit_step
from portal.appeals.states import Action
from portal.catalogue.models import CatalogueItem
from portal.errors import Invalid


def reclassify(session: Session, actor: User, appeal: Appeal, item_id: int, *, now: datetime):
    """File the appeal under another kind of problem in use.

    Only the kind changes: the appeal stays in its queue (sending it elsewhere is a step of
    its own), and the deadline the resident was promised stands.
    """
    require_act(actor, appeal, Action.RECLASSIFY)
    item = session.get(CatalogueItem, item_id) if item_id else None
    if item is None or item.retired_at is not None:
        raise Invalid(_l("Choose a kind of problem from the list."), field="item")
    if item.id == appeal.item_id:
        raise Invalid(_l("The report is already filed under this kind."), field="item")
    before = appeal.item
    appeal.item = item
    # The names as they are now: the timeline says what was changed, whatever the
    # catalogue is later called.
    details = {
        "from": before.id,
        "to": item.id,
        "from_name": [before.name_zh, before.name_en or ""],
        "to_name": [item.name_zh, item.name_en or ""],
    }
    add_event(session, appeal, EventKind.RECLASSIFIED, actor=actor, now=now, details=details)
    audit_step(
        session, "appeals.reclassify", actor, appeal, now, {"from": before.id, "to": item.id}
    )
