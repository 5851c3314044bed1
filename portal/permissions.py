"""Who may do what, where.

A permission belongs to some roles; a role is held on a place and covers that place and
everything inside it. Services call `require` before they act; views may call `can` to decide
which buttons to show, but the service has the last word.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l

from portal.errors import Forbidden


class Role(StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    GRID_WORKER = "grid_worker"
    SECRETARY = "secretary"
    # A community's deputy secretary (副书记): receives residents with the secretary (书记在线)
    # and nothing more; the secretary keeps the appeal queue and the community's places.
    DEPUTY_SECRETARY = "deputy_secretary"
    OFFICER = "officer"
    LEGAL_ADVISER = "legal_adviser"
    # Oversees a district's legal consultations: sees every one, reads conflict reasons,
    # reassigns, is told of answers overdue, and publishes questions and answers (FAQ).
    LEGAL_SUPERVISOR = "legal_supervisor"
    # Runs a community's volunteering (协调员): approves volunteers, publishes activities, checks
    # people in and confirms their hours. Held by secretaries, or by volunteers given it.
    COORDINATOR = "coordinator"
    ARCHIVIST = "archivist"
    ADMIN = "admin"


# Roles that make an account a staff account: password sign-in, short idle time-out.
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.SECRETARY,
        Role.DEPUTY_SECRETARY,
        Role.OFFICER,
        Role.LEGAL_ADVISER,
        Role.LEGAL_SUPERVISOR,
        Role.COORDINATOR,
        Role.ARCHIVIST,
        Role.ADMIN,
    }
)


class Permission(StrEnum):
    MANAGE_PLACES = "manage_places"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    MANAGE_MESSAGES = "manage_messages"
    MANAGE_CATALOGUE = "manage_catalogue"
    MANAGE_CALENDAR = "manage_calendar"
    # Work an appeal queue: accept, resolve, send on. Held on the place whose queue it is.
    HANDLE_APPEALS = "handle_appeals"
    # Read the appeals of an area, wherever in the chain their queue now sits.
    VIEW_APPEALS = "view_appeals"
    # Receive residents at meetings, held on the place where they are received: book, move,
    # cancel and mark one's own meetings.
    HOST_MEETINGS = "host_meetings"
    # Act on the meetings of every 书记在线 host of a community (its secretary, for the deputies).
    LEAD_MEETINGS = "lead_meetings"
    # See and arrange a community's 书记在线 requests (its secretary and deputies).
    ANSWER_MEETING_REQUESTS = "answer_meeting_requests"
    # Set up the meeting schedules, days off and online hours of every host of an area.
    MANAGE_MEETINGS = "manage_meetings"
    # Run a community's volunteering: approve volunteers, publish activities, check people in,
    # confirm and correct their hours, see the time-bank pool.
    COORDINATE_VOLUNTEERS = "coordinate_volunteers"
    # Keep the kinds of volunteer service and a district's time-bank rules.
    MANAGE_VOLUNTEERING = "manage_volunteering"
    # Ask the time bank for help on an older resident's behalf, paid by the community's pool:
    # held on the elder's community or on a place inside it (a grid worker's grid), see
    # can_within.
    ASK_HELP_FOR_ELDERS = "ask_help_for_elders"
    # Keep a district's grid points (网格积分) earning rules.
    MANAGE_POINTS = "manage_points"
    # Award grid points for a listed deed, review awards and decide objections during the
    # public notice (公示), in a community.
    AWARD_POINTS = "award_points"
    # Answer the legal consultations given to one, on the area one serves (e法官).
    ANSWER_CONSULTATIONS = "answer_consultations"
    # Read, reassign and watch the clocks of an area's legal consultations; publish its FAQ.
    SUPERVISE_CONSULTATIONS = "supervise_consultations"
    # Keep the list of legal topics residents pick from.
    MANAGE_LEGAL = "manage_legal"
    # Work the queue of an archive one is a member of: review, search, ask another archive to
    # help, answer and issue result letters (held on a place covering the archive's).
    HANDLE_ARCHIVE_REQUESTS = "handle_archive_requests"
    # Keep the archives, their archivists and seals, and the kinds of record with their
    # checklists.
    MANAGE_ARCHIVES = "manage_archives"


ROLES_WITH: dict[Permission, frozenset[Role]] = {
    # A community secretary keeps the grids and buildings of their own community up to date.
    Permission.MANAGE_PLACES: frozenset({Role.ADMIN, Role.SECRETARY}),
    Permission.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Permission.VIEW_AUDIT: frozenset({Role.ADMIN}),
    # The outbox holds every resident's number: portal-wide administrators only.
    Permission.MANAGE_MESSAGES: frozenset({Role.ADMIN}),
    # The catalogue of appeal types, and the units (street offices, departments) that take
    # level-3 appeals: administrators of the portal, or of a district for its own units.
    Permission.MANAGE_CATALOGUE: frozenset({Role.ADMIN}),
    # The working-day calendar's holidays and make-up days (one calendar, China's): entered by
    # administrators of the portal or of a district when the package does not know a year.
    Permission.MANAGE_CALENDAR: frozenset({Role.ADMIN}),
    # Each level's queue has its own role: a grid's grid workers, a community's secretaries,
    # a street's officers (a unit's queue is worked by its members, see portal/units).
    Permission.HANDLE_APPEALS: frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.OFFICER}),
    # Administrators see every appeal of their area, without handling any.
    Permission.VIEW_APPEALS: frozenset(
        {Role.GRID_WORKER, Role.SECRETARY, Role.OFFICER, Role.ADMIN}
    ),
    # A host receives residents at a place: a community's secretary and deputy secretaries
    # for "secretary online" (书记在线) on their community, legal advisers for the legal
    # service days (遇8有约) of the area they serve.
    Permission.HOST_MEETINGS: frozenset(
        {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.LEGAL_ADVISER}
    ),
    Permission.LEAD_MEETINGS: frozenset({Role.SECRETARY}),
    Permission.ANSWER_MEETING_REQUESTS: frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY}),
    # Administrators of the portal, or of a district or street for the hosts there.
    Permission.MANAGE_MEETINGS: frozenset({Role.ADMIN}),
    Permission.COORDINATE_VOLUNTEERS: frozenset({Role.SECRETARY, Role.COORDINATOR}),
    Permission.MANAGE_VOLUNTEERING: frozenset({Role.ADMIN}),
    # Grid workers know the older residents of their grid's community on their rounds.
    Permission.ASK_HELP_FOR_ELDERS: frozenset({Role.SECRETARY, Role.COORDINATOR, Role.GRID_WORKER}),
    Permission.MANAGE_POINTS: frozenset({Role.ADMIN}),
    # Its own permission, held today by those who run a community's volunteering: a district
    # may let others award points (a grid worker) without letting them confirm hours.
    Permission.AWARD_POINTS: frozenset({Role.SECRETARY, Role.COORDINATOR}),
    Permission.ANSWER_CONSULTATIONS: frozenset({Role.LEGAL_ADVISER}),
    Permission.SUPERVISE_CONSULTATIONS: frozenset({Role.LEGAL_SUPERVISOR}),
    Permission.MANAGE_LEGAL: frozenset({Role.ADMIN}),
    Permission.HANDLE_ARCHIVE_REQUESTS: frozenset({Role.ARCHIVIST}),
    Permission.MANAGE_ARCHIVES: frozenset({Role.ADMIN}),
}

# Permissions that only a grant on the whole portal carries: a district administrator does
# not read the audit log or the outbox, which hold people from everywhere.
PORTAL_WIDE = frozenset({Permission.VIEW_AUDIT, Permission.MANAGE_MESSAGES})


class Actor(Protocol):
    """Whoever acts: a signed-in user (portal.accounts.models.User), an anonymous visitor, or
    the command line (SYSTEM). Services take one of these, never Flask-Login's proxy."""

    @property
    def id(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_staff(self) -> bool: ...

    @property
    def grants(self) -> Sequence[Any]: ...


class Scoped(Protocol):
    """A place or a building: anything with a path in the place hierarchy."""

    @property
    def scope_path(self) -> str: ...


class SystemActor:
    """The command line: whoever can run `flask` on the server may do anything."""

    id = None
    is_authenticated = True
    is_active = True
    is_staff = True
    grants: tuple = ()

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


def covers(scope: Any, target: Scoped | None) -> bool:
    """Whether a grant on `scope` (a Place, or None for everywhere) covers `target`."""
    if scope is None:
        return True
    if target is None:
        return False
    return target.scope_path.startswith(scope.path)


def can(actor: Actor, permission: Permission, target: Scoped | None = None) -> bool:
    """Whether `actor` holds `permission` on `target` (None: across the whole portal)."""
    if actor is SYSTEM:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    roles = ROLES_WITH[permission]
    return any(grant.role in roles and covers(grant.place, target) for grant in actor.grants)


def require(actor: Actor, permission: Permission, target: Scoped | None = None) -> None:
    """Raise Forbidden unless `actor` holds `permission` on `target`."""
    if not can(actor, permission, target):
        raise Forbidden(
            _l("You do not have permission to do this here."),
            permission=permission.value,
        )


def can_within(actor: Actor, permission: Permission, area: Scoped) -> bool:
    """Whether `actor` holds `permission` on `area`, or on a place inside it.

    For what a person working part of an area does for the whole of it: a grid worker,
    granted on a grid, asks for help for the older residents of the grid's community. A
    grant on a neighbouring area, or on one inside it, does not count."""
    if can(actor, permission, area):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    roles = ROLES_WITH[permission]
    return any(
        grant.role in roles and grant.place is not None and covers(area, grant.place)
        for grant in actor.grants
    )


def require_within(actor: Actor, permission: Permission, area: Scoped) -> None:
    """Raise Forbidden unless `actor` holds `permission` on `area` or on a place inside it."""
    if not can_within(actor, permission, area):
        raise Forbidden(
            _l("You do not have permission to do this here."),
            permission=permission.value,
        )


def require_staff(actor: Actor) -> None:
    """Raise Forbidden unless `actor` holds a staff role."""
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_l("This page is for community staff."))


def scopes(actor: Actor, permission: Permission) -> list[Any]:
    """The places where `actor` holds `permission`; [None] means everywhere."""
    if actor is SYSTEM:
        return [None]
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    roles = ROLES_WITH[permission]
    places = [grant.place for grant in actor.grants if grant.role in roles]
    if None in places:
        return [None]
    # Drop a place already covered by a wider one.
    return [p for p in places if not any(o is not p and covers(o, p) for o in places)]


def granted_places(actor: Actor, permission: Permission) -> list[Any]:
    """The places of every grant of `actor` that carries `permission`, each as granted (a
    grid worker who is also a community's secretary works both queues); portal-wide grants
    have no place and are left out."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    roles = ROLES_WITH[permission]
    return [
        grant.place for grant in actor.grants if grant.role in roles and grant.place is not None
    ]


def holds_anywhere(actor: Actor, permission: Permission) -> bool:
    """Whether `actor` can use `permission` somewhere (to show them the tool)."""
    if permission in PORTAL_WIDE:
        return can(actor, permission)
    return bool(scopes(actor, permission))
