"""How kinds of place and risk grades are named to people, in their language."""

from flask_babel import lazy_gettext as _l

from portal.places.models import PlaceKind, RiskGrade

KIND_LABELS = {
    PlaceKind.DISTRICT: _l("District"),
    PlaceKind.STREET: _l("Street"),
    PlaceKind.COMMUNITY: _l("Community"),
    PlaceKind.GRID: _l("Grid"),
}

# The plural, for headings such as "Communities of 凤凰街道".
KIND_PLURALS = {
    PlaceKind.DISTRICT: _l("Districts"),
    PlaceKind.STREET: _l("Streets"),
    PlaceKind.COMMUNITY: _l("Communities"),
    PlaceKind.GRID: _l("Grids"),
}

RISK_LABELS = {
    RiskGrade.SAFE: _l("Safe (放心)"),
    RiskGrade.ORDINARY: _l("Ordinary (一般)"),
    RiskGrade.WARNING: _l("Warning (警示)"),
}
