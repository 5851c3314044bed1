"""How roles are named to people, in their language."""

from flask_babel import lazy_gettext as _l

from portal.permissions import Role

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.GRID_WORKER: _l("Grid worker"),
    Role.SECRETARY: _l("Community secretary"),
    Role.DEPUTY_SECRETARY: _l("Deputy secretary"),
    Role.OFFICER: _l("Street or department officer"),
    Role.LEGAL_ADVISER: _l("Legal adviser"),
    Role.LEGAL_SUPERVISOR: _l("Legal consultation supervisor"),
    Role.COORDINATOR: _l("Volunteer coordinator"),
    Role.ARCHIVIST: _l("Archivist"),
    Role.ADMIN: _l("Administrator"),
}
