"""The forms of grid points. They only carry what was typed: the services check it and say
what is wrong beside the field (portal.web.forms.show_error), so nothing typed is lost."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from portal.points.models import PointsSource
from portal.web.forms import PortalForm

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def _stripped(text: str | None) -> str | None:
    return text.strip() if isinstance(text, str) else text


class RuleForm(PortalForm):
    name_zh = StringField(
        _l("The deed, in Chinese"), description=_l("As residents read it: 参加社区清洁."),
        filters=[_stripped],
    )  # fmt: skip
    name_en = StringField(
        _l("The deed, in English"), description=_l("For example: Community clean-up."),
        filters=[_stripped],
    )  # fmt: skip
    points = StringField(
        _l("Points it earns"), description=_l("A whole number from 1 to 1,000."),
        filters=[_stripped], render_kw=NUMERIC,
    )  # fmt: skip
    needs_review = BooleanField(
        _l("Reviewed and shown on the public notice before the points are credited")
    )
    per_day = StringField(
        _l("At most this many a day for one person"), description=_l("Empty: no limit."),
        filters=[_stripped], render_kw=NUMERIC,
    )  # fmt: skip
    per_month = StringField(
        _l("At most this many a month for one person"), description=_l("Empty: no limit."),
        filters=[_stripped], render_kw=NUMERIC,
    )  # fmt: skip
    per_year = StringField(
        _l("At most this many a year for one person"), description=_l("Empty: no limit."),
        filters=[_stripped], render_kw=NUMERIC,
    )  # fmt: skip


class NewRuleForm(RuleForm):
    """A rule being added: where its points come from is chosen once, here (the view fills
    the sources)."""

    source = SelectField(
        _l("Where the points come from"),
        description=_l("A listed deed is awarded by a coordinator. The others are given by the "
                       "portal itself; for volunteer service hours the points are per hour."),
        choices=[], validate_choice=False, default=PointsSource.DEED.value,
    )  # fmt: skip


class AwardForm(PortalForm):
    """A coordinator awards a listed deed (the view fills the deeds)."""

    rule = SelectField(_l("The deed"), choices=[], validate_choice=False)
    phone = StringField(
        _l("The resident's mobile number"), description=_l("11 digits, such as 13812345678."),
        filters=[_stripped], render_kw={**NUMERIC, "autocomplete": "tel", "type": "tel"},
    )  # fmt: skip
    reason = TextAreaField(
        _l("What they did"), description=_l("Shown to the resident, and on the public notice."),
        filters=[_stripped],
    )  # fmt: skip


class RejectForm(PortalForm):
    reason = StringField(_l("Why it is not approved"), filters=[_stripped])


class DecisionForm(PortalForm):
    decision = StringField(_l("Your decision, in a few words"), filters=[_stripped])


class ObjectionForm(PortalForm):
    reason = TextAreaField(
        _l("Why you object"),
        description=_l("A coordinator reads it and decides; your name is not shown."),
        filters=[_stripped],
    )
