"""Every model of the portal, imported in one place for Alembic and the tests."""

from portal.accounts.models import RoleGrant, SignInCode, User
from portal.audit.models import AuditEvent
from portal.places.models import Building, Place

__all__ = ["AuditEvent", "Building", "Place", "RoleGrant", "SignInCode", "User"]
