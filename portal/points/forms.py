"""The forms of grid points. They only carry what was typed: the services check it and say
what is wrong beside the field (portal.web.forms.show_error), so nothing typed is lost."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from portal.points.models import PointsSource
from portal.web.forms import PortalForm, stripped

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class RuleForm(PortalForm):
    name_zh = StringField(
        _l("The deed, in Chinese"), description=_l("As residents read it: 参加社区清洁."),
        filters=[stripped],
    )  # fmt: skip
    name_en = StringField(
        _l("The deed, in English"), description=_l("For example: Community clean-up."),
        filters=[stripped],
    )  # fmt: skip
    points = StringField(
        _l("Points it earns"), description=_l("A whole number from 1 to 1,000."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
    needs_review = BooleanField(
        _l("Reviewed and shown on the public notice before the points are credited")
    )
    per_day = StringField(
        _l("At most this many a day for one person"), description=_l("Empty: no limit."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
    per_month = StringField(
        _l("At most this many a month for one person"), description=_l("Empty: no limit."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
    per_year = StringField(
        _l("At most this many a year for one person"), description=_l("Empty: no limit."),
        filters=[stripped], render_kw=NUMERIC,
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
        filters=[stripped], render_kw={**NUMERIC, "autocomplete": "tel", "type": "tel"},
    )  # fmt: skip
    reason = TextAreaField(
        _l("What they did"), description=_l("Shown to the resident, and on the public notice."),
        filters=[stripped],
    )  # fmt: skip


class RejectForm(PortalForm):
    reason = StringField(_l("Why it is not approved"), filters=[stripped])


class DecisionForm(PortalForm):
    decision = StringField(_l("Your decision, in a few words"), filters=[stripped])


class ObjectionForm(PortalForm):
    reason = TextAreaField(
        _l("Why you object"),
        description=_l("A coordinator reads it and decides; your name is not shown."),
        filters=[stripped],
    )


class RewardForm(PortalForm):
    """A reward of the points shop, as a coordinator edits it (stock is added apart)."""

    kind = RadioField(
        _l("What it is"), choices=[SelectChoice("goods", _l("Goods")), SelectChoice("service", _l("A service"))],
        validate_choice=False,
    )  # fmt: skip
    name_zh = StringField(
        _l("Its name, in Chinese"), description=_l("As residents read it: 大米 5斤."),
        filters=[stripped],
    )  # fmt: skip
    name_en = StringField(
        _l("Its name, in English"), description=_l("For example: Rice, 2.5 kg."),
        filters=[stripped],
    )  # fmt: skip
    about_zh = TextAreaField(_l("A few words about it, in Chinese (optional)"),
                             filters=[stripped])  # fmt: skip
    about_en = TextAreaField(_l("A few words about it, in English (optional)"),
                             filters=[stripped])  # fmt: skip
    price = StringField(
        _l("Price in points"), description=_l("A whole number from 1 to 100,000."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
    per_person = StringField(
        _l("At most this many for one person"), description=_l("Empty: no limit but the stock."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
    pickup_zh = StringField(
        _l("Where and when it is picked up, in Chinese"),
        description=_l("For example: 社区服务中心一楼，工作日 9:00–17:00."), filters=[stripped],
    )  # fmt: skip
    pickup_en = StringField(
        _l("Where and when it is picked up, in English"),
        description=_l("For example: Community centre, ground floor, weekdays 9:00–17:00."),
        filters=[stripped],
    )  # fmt: skip
    picture = FileField(
        _l("A picture (optional)"),
        description=_l("A photo of it, JPEG, PNG or WebP. Location data is removed."),
        render_kw={"accept": "image/*"},
    )  # fmt: skip


class NewRewardForm(RewardForm):
    stock = StringField(
        _l("How many there are"), description=_l("A whole number from 0 to 100,000."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip


class RestockForm(PortalForm):
    amount = StringField(
        _l("Add to the stock"), description=_l("How many came in."), filters=[stripped],
        render_kw=NUMERIC,
    )  # fmt: skip


class HandOverForm(PortalForm):
    """A coordinator types (or scans) the pick-up code a resident shows."""

    code = StringField(
        _l("Pick-up code"), description=_l("The 8 digits the resident shows, or scan their QR."),
        filters=[stripped], render_kw=NUMERIC,
    )  # fmt: skip
