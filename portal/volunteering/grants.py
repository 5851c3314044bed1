"""The district grants hours to a community's pool, so that priority elderly residents are
helped before anyone has donated (Nanjing's scheme: a fund grants time to the elderly most in
need). Hours come out of the district's issuing account, as confirmed service does; only an
administrator of the district grants them, with a reason, and the audit log keeps who.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Invalid
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.permissions import Actor, Permission, require
from portal.places.models import Place, PlaceKind
from portal.volunteering import timebank
from portal.volunteering.giving import check_minutes

REASON_MAX = 200


def grant_to_pool(
    session: Session,
    actor: Actor,
    community: Place | None,
    *,
    minutes: Any,
    reason: str | None,
    now: datetime,
) -> LedgerTransfer:
    """Move `minutes` from the district's issuing account into `community`'s pool."""
    if community is None or community.kind is not PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose a community."), field="community")
    require(actor, Permission.MANAGE_VOLUNTEERING, community)
    minutes = check_minutes(minutes)
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid(_l("Say why: the pool's history shows it."), field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field="reason")
    issuer = timebank.issuer_account(session, community, now=now)
    pool = timebank.pool_account(session, community, now=now)
    transfer = ledger.post(
        session, actor, unit=Unit.MINUTES, kind=timebank.GRANTED,
        legs=[(issuer, -minutes), (pool, minutes)], memo=reason, now=now,
    )  # fmt: skip
    audit.record(
        session, "volunteering.pool_granted", actor=actor, now=now, target=community,
        details={"minutes": minutes, "reason": reason, "transfer": transfer.id},
    )  # fmt: skip
    return transfer
