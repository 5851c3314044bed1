"""The forms of giving and donating hours, declaring a relative, and a coordinator's decision
on one. Plain fields a phone fills in without JavaScript; hours are typed as people say them
("2", "1.5", full-width digits too), and what cannot be read is said on its field with
everything typed kept."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField, StringField

from portal.volunteering.giving import EVIDENCE_LABELS, KINSHIP_LABELS, minutes_from_hours
from portal.volunteering.models import Evidence, Kinship
from portal.web.forms import MOBILE_KEYBOARD, PortalForm, stripped

# Hours may be typed with a decimal point: the number pad with one.
HOURS_KEYBOARD = {"inputmode": "decimal", "autocomplete": "off"}


class _Hours(PortalForm):
    hours = StringField(
        _l("How many hours"),
        description=_l("In half hours: 0.5, 1, 1.5, 2 …"),
        render_kw=HOURS_KEYBOARD,
        filters=[stripped],
    )

    def minutes(self) -> int | None:
        """The hours typed, in minutes; None (with the reason on the field) if unreadable."""
        try:
            return minutes_from_hours(self.hours.data)
        except ValueError:
            self.hours.errors = [
                *self.hours.errors,
                str(_l("Give the hours as a number, such as 1 or 1.5.")),
            ]
            return None


class GiveForm(_Hours):
    """Hours to a confirmed relative (the view fills the relatives to choose from)."""

    relative = SelectField(_l("To whom"), choices=[], validate_choice=False)


class DonateForm(_Hours):
    """Hours to the community's pool."""


class RelativeForm(PortalForm):
    """A relative to declare, for the community to confirm."""

    kinship = RadioField(_l("Who are they to you?"), choices=[], validate_choice=False)
    name = StringField(_l("Their name"), description=_l("As on their ID card."), filters=[stripped])
    phone = StringField(
        _l("Their mobile number"),
        description=_l("They are texted when you give them hours."),
        render_kw=MOBILE_KEYBOARD,
        filters=[stripped],
    )

    def allow(self, kinships: frozenset[Kinship]) -> None:
        """Offer the kinships the district's rules allow, in the usual order."""
        self.kinship.choices = [
            SelectChoice(kin.value, str(KINSHIP_LABELS[kin])) for kin in Kinship if kin in kinships
        ]


class ConfirmRelativeForm(PortalForm):
    """A coordinator confirms a relationship, saying which document they saw."""

    evidence = RadioField(
        _l("What have you seen?"),
        choices=[SelectChoice(each.value, EVIDENCE_LABELS[each]) for each in Evidence],
        validate_choice=False,
    )


class RefuseRelativeForm(PortalForm):
    reason = StringField(
        _l("Why is it not confirmed?"),
        description=_l("The volunteer is texted this."),
        filters=[stripped],
    )


class GrantForm(_Hours):
    """The district grants hours to a community's pool (the view fills the communities)."""

    community = SelectField(_l("To which community's pool"), choices=[], validate_choice=False)
    reason = StringField(
        _l("Why"),
        description=_l(
            "Shown in the pool's history, such as the year's budget for older residents."
        ),
        filters=[stripped],
    )
