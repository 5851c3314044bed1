"""The administrators' forms for archives (with their archivists, kinds kept and seal) and for
the kinds of record with their checklists.

The places an archive may serve and the kinds it may keep are filled in by the views. The
services check every rule again; these validators only catch what is plainly missing or too
long, in the services' words.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FileField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from portal.archives.archive_admin import ADDRESS_MAX, CODE_MAX
from portal.archives.kind_admin import CHECKLIST_PROOFS
from portal.archives.labels import PROOF_LABELS, RELATION_SHORT
from portal.archives.models import Relation
from portal.numbers import optional_id
from portal.shortlists import names_form
from portal.units.forms import name_fields
from portal.volunteering.volunteer_forms import CheckboxesField
from portal.web.forms import MOBILE_KEYBOARD, PortalForm, stripped

TOO_LONG_ADDRESS = _l("Keep it within 200 characters.")


def code_field(example: str) -> StringField:
    """A new code; the form of an existing row deletes it (codes never change: they are in
    addresses)."""
    return StringField(
        _l("Code"),
        description=_l(
            "Lower-case letters, digits and hyphens, like %(example)s. It cannot be changed later.",
            example=example,
        ),
        validators=[
            InputRequired(_l("Enter a code.")),
            Length(
                max=CODE_MAX,
                message=_l(
                    "Use up to 40 lower-case letters, digits and hyphens, like district-archive."
                ),
            ),
        ],
        filters=[stripped],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class ArchiveForm(PortalForm):
    """An archive; `code` is deleted from the form of an existing one."""

    code = code_field("district-archive")
    place_id = SelectField(
        _l("Street or district it serves"), coerce=optional_id, validate_choice=False
    )
    name_zh, name_en = name_fields()
    address_zh = StringField(
        _l("Where results on paper are picked up, in Chinese"),
        description=_l("The address and office, as residents are told the way: 明湖路1号二楼."),
        validators=[Length(max=ADDRESS_MAX, message=TOO_LONG_ADDRESS)],
        filters=[stripped],
    )
    address_en = StringField(
        _l("The same, in English (optional)"),
        validators=[Length(max=ADDRESS_MAX, message=TOO_LONG_ADDRESS)],
        filters=[stripped],
    )
    phone = StringField(
        _l("Office phone number (optional)"),
        description=_l(
            "Shown in full to residents: an office line, never a mobile someone signs in with."
        ),
        validators=[Length(max=20, message=_l("Keep it within 20 characters."))],
        filters=[stripped],
        render_kw={"inputmode": "tel"},
    )


class ArchivistForm(PortalForm):
    """An archivist to add to an archive; made with the prefix "member"."""

    phone = StringField(
        _l("Archivist's mobile number"),
        description=_l(
            "The number they sign in with. They must hold the archivist's role for the street "
            "or district this archive serves."
        ),
        validators=[InputRequired(_l("Enter the archivist's mobile number."))],
        render_kw={**MOBILE_KEYBOARD, "autocomplete": "off"},
    )


class KeptKindsForm(PortalForm):
    """The kinds of record an archive keeps; made with the prefix "kinds", choices by the view."""

    kinds = CheckboxesField(
        _l("Kinds of record it keeps"),
        description=_l("Residents asking for one of these may choose this archive."),
        choices=[],
        validate_choice=False,
    )


class SealForm(PortalForm):
    """The archive-use seal (档案利用专用章) printed on the archive's letters; prefix "seal"."""

    seal = FileField(
        _l("Image of the seal"),
        description=_l(
            "A scan or photo of the stamped seal on white paper (JPEG or PNG), cropped close "
            "around it. It replaces the seal the archive had."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


_KindNames = names_form(
    _l("As residents read it: 婚姻登记."), _l("For example: Marriage registration.")
)


def _checklist_fields() -> dict[str, object]:
    """For each relation: may they ask, and which documents they attach."""
    fields: dict[str, object] = {}
    for relation in Relation:
        fields[f"may_{relation.value}"] = BooleanField(_l("May ask for it"))
        fields[f"proofs_{relation.value}"] = CheckboxesField(
            RELATION_SHORT[relation],
            description=_l("What they attach:"),
            choices=[SelectChoice(proof.value, PROOF_LABELS[proof]) for proof in CHECKLIST_PROOFS],
            validate_choice=False,
        )
    return fields


class _KindFields(_KindNames):
    code = code_field("marriage")
    offered = BooleanField(
        _l("Offered to residents"),
        description=_l("Untick to stop new requests for it; requests sent keep it."),
    )

    def ticked_checklist(self) -> dict[str, list[str]]:
        """The relations ticked as may ask, each with the documents ticked for it."""
        return {
            relation.value: list(self[f"proofs_{relation.value}"].data or [])
            for relation in Relation
            if self[f"may_{relation.value}"].data
        }

    def relation_rows(self) -> list[tuple[object, object]]:
        """(may ask, documents) fields of each relation, in order."""
        return [
            (self[f"may_{relation.value}"], self[f"proofs_{relation.value}"])
            for relation in Relation
        ]

    def fill_checklist(self, checklist: dict[str, list[str]]) -> None:
        """Show a kind's checklist as kept."""
        for relation in Relation:
            proofs = checklist.get(relation.value)
            self[f"may_{relation.value}"].data = proofs is not None
            self[f"proofs_{relation.value}"].data = list(proofs or [])


# A kind of record with its checklist; `code` is deleted from the form of an existing one.
KindForm = type("KindForm", (_KindFields,), _checklist_fields())
