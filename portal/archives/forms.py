"""The resident's forms of archive queries: asking (with one file field per proof of the
checklist, the names of files kept from an earlier try riding along in hidden fields) and
adding documents the archive asked for. asking.py checks every rule and names every wrong
field; these only read what was sent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)

from portal.archives.asking import clean_text, proof_field
from portal.archives.documents import MOST_PER_PROOF
from portal.archives.labels import DELIVERY_LABELS, PROOF_LABELS
from portal.archives.models import Delivery, Proof
from portal.numbers import optional_id
from portal.web.forms import PortalForm, stripped

# An ID card number is 17 digits and a digit or X: the number pad has no X, so the keyboard
# is the ordinary one (inputmode="text"); the browser neither remembers nor offers it.
ID_NUMBER_KEYBOARD = {
    "inputmode": "text",
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "maxlength": 30,
}
FILES_HINT = _l("Photos or PDF files, up to %(count)d.", count=MOST_PER_PROOF)


def _cleaned(text: str | None) -> str | None:
    return clean_text(text) if isinstance(text, str) else text


def kept_field(proof: Proof) -> str:
    """The hidden field carrying the names of the files kept for `proof`."""
    return f"kept_{proof.value}"


def _files(proof: Proof) -> MultipleFileField:
    return MultipleFileField(PROOF_LABELS[proof], description=FILES_HINT)


class AskForm(PortalForm):
    # The view fills the choices: the archives keeping the kind, in the reader's language.
    archive = RadioField(_l("Which archive should look for it?"), choices=[],
                         validate_choice=False)  # fmt: skip
    requester_name = StringField(
        _l("Your full name"), description=_l("As on your ID card."), filters=[stripped],
        render_kw={"autocomplete": "name"},
    )  # fmt: skip
    requester_id_number = StringField(
        _l("Your ID card number"), description=_l("18 characters: 17 digits, then a digit or X."),
        filters=[stripped], render_kw=ID_NUMBER_KEYBOARD,
    )  # fmt: skip
    subject_name = StringField(
        _l("Full name of the person the record is about"), filters=[stripped],
        render_kw={"autocomplete": "off"},
    )  # fmt: skip
    subject_id_number = StringField(
        _l("Their ID card number"), description=_l("18 characters: 17 digits, then a digit or X."),
        filters=[stripped], render_kw=ID_NUMBER_KEYBOARD,
    )  # fmt: skip
    # One file field per proof a checklist may ask for (the page shows those of its
    # checklist), each with the names of the files kept from an earlier try.
    documents_requester_id = _files(Proof.REQUESTER_ID)
    kept_requester_id = HiddenField()
    documents_subject_id = _files(Proof.SUBJECT_ID)
    kept_subject_id = HiddenField()
    documents_authorisation = _files(Proof.AUTHORISATION)
    kept_authorisation = HiddenField()
    documents_guardianship = _files(Proof.GUARDIANSHIP)
    kept_guardianship = HiddenField()
    documents_death_certificate = _files(Proof.DEATH_CERTIFICATE)
    kept_death_certificate = HiddenField()
    documents_kinship = _files(Proof.KINSHIP)
    kept_kinship = HiddenField()
    purpose = TextAreaField(
        _l("What do you need the record for?"),
        description=_l("For example: to claim an inheritance, for a pension. Up to 200 characters."),
        filters=[_cleaned],
    )  # fmt: skip
    delivery = RadioField(
        _l("How would you like to receive the result?"),
        choices=[SelectChoice(each.value, label) for each, label in DELIVERY_LABELS.items()],
        default=Delivery.ONLINE.value,
        validate_choice=False,
    )
    postal_address = TextAreaField(
        _l("Where to post it (by post only)"),
        description=_l("The recipient's name, mobile number and full address."),
        filters=[_cleaned],
    )
    consent = BooleanField(
        _l(
            "I agree that the archive handles the ID numbers above, which are sensitive personal "
            "information, to find the record and check that I may see it."
        )
    )

    @property
    def archive_id(self) -> int | None:
        try:
            return optional_id(self.archive.data)
        except ValueError:
            return None

    def files_field(self, proof: Proof) -> MultipleFileField:
        return self[proof_field(proof)]

    def kept_of(self, proof: Proof) -> HiddenField:
        return self[kept_field(proof)]

    def kept_names(self, proof: Proof) -> list[str]:
        kept = self.kept_of(proof).data or ""
        return [name for name in kept.split(",") if name][:MOST_PER_PROOF]


class AddDocumentsForm(PortalForm):
    # The view fills the choices: the request's checklist, and another document.
    proof = RadioField(_l("What are you sending?"), choices=[], validate_choice=False)
    files = MultipleFileField(_l("Photos or PDF files"), description=FILES_HINT)
    kept = HiddenField()

    def kept_names(self) -> list[str]:
        return [name for name in (self.kept.data or "").split(",") if name][:MOST_PER_PROOF]

    @property
    def chosen_proof(self) -> Proof | None:
        try:
            return Proof(self.proof.data)
        except ValueError:
            return None
