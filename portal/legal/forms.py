"""The resident's forms of legal consultations: asking (with documents, the other party's
name, the consent and, for a minor, a guardian's phone), the guardian's code, a follow-up and
the rating. The services check every rule again; these say what is wrong before."""

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
from wtforms.validators import InputRequired, Length, Optional

from portal.accounts.forms import code_field
from portal.legal.asking import QUESTION_MIN, clean_text
from portal.legal.models import OTHER_PARTY_MAX, QUESTION_MAX, Rating
from portal.legal.thread import COMMENT_MAX
from portal.numbers import optional_id
from portal.web.forms import MOBILE_KEYBOARD, PortalForm

YES, NO = "yes", "no"


def _cleaned(text: str | None) -> str | None:
    return clean_text(text) if isinstance(text, str) else text


class AskForm(PortalForm):
    # The view fills the choices: the active topics, in the reader's language.
    topic = RadioField(
        _l("What is your question about?"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose what your question is about."))],
    )
    question = TextAreaField(
        _l("Your question"),
        description=_l(
            "Say what happened and what you would like to know, in up to 2,000 characters."
        ),
        validators=[
            InputRequired(_l("Write your question.")),
            Length(min=QUESTION_MIN, message=_l("Write your question.")),
            Length(max=QUESTION_MAX, message=_l("Keep your question within 2,000 characters.")),
        ],
        filters=[_cleaned],
    )
    documents = MultipleFileField(
        _l("Documents (optional)"),
        description=_l("Up to 3 photos or PDF files, such as a contract or a notice."),
    )
    # The names of the documents kept from an earlier try of this form.
    kept = HiddenField()
    other_party = StringField(
        _l("The other party's name (optional)"),
        description=_l(
            "Only used to check that the adviser does not act for them. The adviser sees it "
            "before your question."
        ),
        validators=[
            Optional(),
            Length(max=OTHER_PARTY_MAX, message=_l("Keep the name within 100 characters.")),
        ],
        filters=[_cleaned],
    )
    minor = RadioField(
        _l("Are you under 18?"),
        choices=[
            SelectChoice(NO, _l("No, I am 18 or older")),
            SelectChoice(YES, _l("Yes, I am under 18")),
        ],
        default=NO,
        validators=[InputRequired(_l("Say whether you are under 18."))],
    )
    guardian_phone = StringField(
        _l("Your parent's or guardian's mobile number (under 18 only)"),
        description=_l("We text them a code. Your question is sent once you type it here."),
        render_kw={**MOBILE_KEYBOARD, "autocomplete": "off"},
    )
    consent = BooleanField(
        _l(
            "I agree that the legal adviser given my question, and the district's legal "
            "supervisors, read what I write here and my documents."
        ),
        validators=[
            InputRequired(_l("Tick the box to agree that the legal adviser reads your question."))
        ],
    )

    @property
    def topic_id(self) -> int | None:
        try:
            return optional_id(self.topic.data)
        except ValueError:
            return None

    @property
    def is_minor(self) -> bool:
        return self.minor.data == YES

    def kept_names(self) -> list[str]:
        return [name for name in (self.kept.data or "").split(",") if name][:3]


class GuardianForm(PortalForm):
    code = code_field()


class FollowUpForm(PortalForm):
    body = TextAreaField(
        _l("Ask again"),
        description=_l("If something in the answer is unclear, ask here."),
        validators=[
            InputRequired(_l("Write your question.")),
            Length(min=QUESTION_MIN, message=_l("Write your question.")),
            Length(max=QUESTION_MAX, message=_l("Keep your question within 2,000 characters.")),
        ],
        filters=[_cleaned],
    )


class RateForm(PortalForm):
    rating = RadioField(
        _l("How satisfied are you with the answer?"),
        choices=[
            SelectChoice(Rating.SATISFIED.value, _l("Satisfied")),
            SelectChoice(Rating.BASICALLY_SATISFIED.value, _l("Basically satisfied")),
            SelectChoice(Rating.UNSATISFIED.value, _l("Unsatisfied")),
        ],
        validators=[InputRequired(_l("Choose how satisfied you are."))],
    )
    comment = TextAreaField(
        _l("Anything to add? (optional)"),
        validators=[
            Optional(),
            Length(max=COMMENT_MAX, message=_l("Keep your comment within 500 characters.")),
        ],
        filters=[_cleaned],
    )
