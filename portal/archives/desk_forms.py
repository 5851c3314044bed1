"""The archivists' forms on a request's page: ask for more documents, refuse, pass to another
archive, the result (and an assisting archive's answer, the same fields), withdraw the
letter, and record the dispatch. The services check every rule again (a record found needs
its file number and summary); these say what is wrong before."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.archives.answering import DISPATCH_NOTE_MAX
from portal.archives.documents import MOST_SCANS
from portal.archives.labels import OUTCOME_LABELS
from portal.archives.models import FILE_NUMBER_MAX, NOTE_MAX, REASON_MAX, SUMMARY_MAX, Outcome
from portal.archives.review import TEXT_MIN
from portal.verification.services import REASON_MAX as WITHDRAWAL_REASON_MAX
from portal.web.forms import PortalForm, stripped


def _text(label, description, most: int, missing, too_long) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        validators=[
            InputRequired(missing),
            Length(min=TEXT_MIN, message=missing),
            Length(max=most, message=too_long),
        ],
        filters=[stripped],
    )


class MoreForm(PortalForm):
    note = _text(
        _l("Which document is missing?"),
        _l(
            "The resident reads this and is texted a link to add it. For example: 请补充户口簿上您与父亲关系的那一页。"
        ),
        NOTE_MAX,
        _l("Say which document is missing, in words the resident understands."),
        _l("Keep it within 300 characters."),
    )


class RefuseForm(PortalForm):
    reason = _text(
        _l("Why is it refused?"),
        _l("The resident reads this. Say what they can do instead, if anything."),
        REASON_MAX,
        _l("Give the reason: the resident reads it."),
        _l("Keep the reason within 500 characters."),
    )


class PassForm(PortalForm):
    # The view fills the choices: the other archives open now. The service checks the choice.
    archive = SelectField(
        _l("Archive to ask"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose the archive to ask for help."))],
    )
    note = _text(
        _l("What should they look for?"),
        _l("They see the request too. For example: 1983年婚姻登记档案，男方李建国"),
        NOTE_MAX,
        _l("Say what they should look for."),
        _l("Keep it within 300 characters."),
    )


class ResultForm(PortalForm):
    """The result for the resident, or an assisting archive's answer to the receiving one."""

    outcome = RadioField(
        _l("Was the record found?"),
        choices=[SelectChoice(outcome.value, OUTCOME_LABELS[outcome]) for outcome in Outcome],
        validators=[InputRequired(_l("Say whether the record was found."))],
    )
    file_number = StringField(
        _l("File number (档号)"),
        description=_l("As the archive files it. Only for a record found."),
        validators=[
            Optional(),
            Length(max=FILE_NUMBER_MAX, message=_l("Keep the file number within 60 characters.")),
        ],
        filters=[stripped],
    )
    summary = TextAreaField(
        _l("What the record shows"),
        description=_l(
            "A few lines, as the letter will state them. If nothing was found, you may say where "
            "you looked."
        ),
        validators=[
            Length(max=SUMMARY_MAX, message=_l("Keep the summary within 1,000 characters.")),
        ],
        filters=[stripped],
    )
    scans = MultipleFileField(
        _l("Scanned copies (only for a record found)"),
        description=_l("Up to 10 photos or PDF files of the record's pages."),
    )
    # The names of the scans kept from an earlier try of this form.
    kept = HiddenField()

    def kept_names(self) -> list[str]:
        return [name for name in (self.kept.data or "").split(",") if name][:MOST_SCANS]


class WithdrawForm(PortalForm):
    reason = _text(
        _l("Why is the letter withdrawn?"),
        _l("Whoever checks the letter's code reads this."),
        WITHDRAWAL_REASON_MAX,
        _l("Say why the letter is withdrawn: whoever checks it reads this."),
        _l("Keep it within 200 characters."),
    )


class DispatchForm(PortalForm):
    note = StringField(
        _l("Carrier and tracking number"),
        description=_l("For example: 中国邮政 EMS 1234567890123"),
        validators=[
            InputRequired(_l("Give the carrier and the tracking number.")),
            Length(min=TEXT_MIN, message=_l("Give the carrier and the tracking number.")),
            Length(max=DISPATCH_NOTE_MAX, message=_l("Keep it within 100 characters.")),
        ],
        filters=[stripped],
    )
