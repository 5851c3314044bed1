"""How the catalogue's levels are named to people, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVEL_LABELS = {
    1: _l("Level 1: the grid worker"),
    2: _l("Level 2: the community"),
    3: _l("Level 3: the street office or a department"),
}
