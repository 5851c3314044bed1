"""Short lists that administrators keep in an order, each entry named in both languages (the
kinds of volunteer service, the topics of legal questions): the checks of the names, the form
that takes them, and moving an entry one place, shared so that every such list behaves alike.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.errors import Invalid
from portal.web.forms import PortalForm, stripped

NAME_ZH_MAX, NAME_EN_MAX = 20, 40
TOO_LONG_ZH = _l("Keep the Chinese name within 20 characters.")
TOO_LONG_EN = _l("Keep the English name within 40 characters.")


def checked_names(name_zh: str | None, name_en: str | None) -> tuple[str, str]:
    """The two names without surrounding spaces; Invalid, on its field, if one is missing or
    too long."""
    chinese, english = (name_zh or "").strip(), (name_en or "").strip()
    if not chinese:
        raise Invalid(_l("Enter the Chinese name."), field="name_zh")
    if len(chinese) > NAME_ZH_MAX:
        raise Invalid(TOO_LONG_ZH, field="name_zh")
    if not english:
        raise Invalid(_l("Enter the English name."), field="name_en")
    if len(english) > NAME_EN_MAX:
        raise Invalid(TOO_LONG_EN, field="name_en")
    return chinese, english


def move_one_place(rows: list[Any], row: Any, step: int) -> bool:
    """Move `row` one place up (-1) or down (+1) among `rows` (in their order) and number their
    `position` afresh from 1; False, and nothing changed, when it is at that end already."""
    index = rows.index(row)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, each in enumerate(rows, 1):
        each.position = position
    return True


def names_form(example_zh: LazyString, example_en: LazyString) -> type[PortalForm]:
    """A form of the two names, each field's hint an example from the list it names."""

    class NamesForm(PortalForm):
        name_zh = StringField(
            _l("Name in Chinese"),
            description=example_zh,
            validators=[
                InputRequired(_l("Enter the Chinese name.")),
                Length(max=NAME_ZH_MAX, message=TOO_LONG_ZH),
            ],
            filters=[stripped],
        )
        name_en = StringField(
            _l("Name in English"),
            description=example_en,
            validators=[
                InputRequired(_l("Enter the English name.")),
                Length(max=NAME_EN_MAX, message=TOO_LONG_EN),
            ],
            filters=[stripped],
        )

    return NamesForm
