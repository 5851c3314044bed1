"""The administrators' form for the topics of legal questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.legal.topics import NAME_EN_MAX, NAME_ZH_MAX
from portal.web.forms import PortalForm


def _stripped(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) else text


class TopicForm(PortalForm):
    name_zh = StringField(
        _l("Name in Chinese"),
        description=_l("As residents read it: 婚姻家庭."),
        validators=[
            InputRequired(_l("Enter the Chinese name.")),
            Length(max=NAME_ZH_MAX, message=_l("Keep the Chinese name within 20 characters.")),
        ],
        filters=[_stripped],
    )
    name_en = StringField(
        _l("Name in English"),
        description=_l("For example: Marriage and family."),
        validators=[
            InputRequired(_l("Enter the English name.")),
            Length(max=NAME_EN_MAX, message=_l("Keep the English name within 50 characters.")),
        ],
        filters=[_stripped],
    )
