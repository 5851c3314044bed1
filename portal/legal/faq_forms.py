"""The forms of the public questions and answers: the resident's consent page and the
adviser's anonymised draft."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from portal.accounts.forms import code_field
from portal.legal.faq import ANSWER_MAX, QUESTION_MAX
from portal.web.forms import PortalForm

AGREE = "agree"
DECLINE = "decline"
# The resident takes back a consent given.
TAKE_BACK = "take_back"


class FaqConsentForm(PortalForm):
    """The code from the SMS, and the resident's answer: one of two buttons."""

    code = code_field()
    # Sent by the button pressed (agree, decline, or take back); anything else is asked again.
    decision = StringField()


class FaqDraftForm(PortalForm):
    """The anonymised question and answer; "submit" sends it for review, else it is saved."""

    question = TextAreaField(
        _l("Question, as the public will read it"),
        description=_l("Leave out names, places, phone and ID numbers, and anything else "
                       "that could tell who asked."),
        render_kw={"rows": 8, "maxlength": QUESTION_MAX},
    )  # fmt: skip
    answer = TextAreaField(
        _l("Answer, as the public will read it"),
        render_kw={"rows": 14, "maxlength": ANSWER_MAX},
    )
    submit = StringField()
