"""Every model of the portal, imported in one place for Alembic and the tests."""

from portal.accounts.models import RoleGrant, SignInCode, User
from portal.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    BlockedPhone,
    CatalogueGroup,
    CatalogueItem,
    Summons,
    Unit,
    UnitMember,
)
from portal.audit.models import AuditEvent
from portal.doors.models import BuildingScan
from portal.jobs.models import JobRun
from portal.notifications.models import SmsMessage
from portal.places.models import Building, Place

__all__ = [
    "Appeal",
    "AppealEvent",
    "AppealPhoto",
    "AuditEvent",
    "BlockedPhone",
    "Building",
    "BuildingScan",
    "CatalogueGroup",
    "CatalogueItem",
    "JobRun",
    "Place",
    "RoleGrant",
    "SignInCode",
    "SmsMessage",
    "Summons",
    "Unit",
    "UnitMember",
    "User",
]
