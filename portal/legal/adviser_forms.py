"""The forms of the advisers' and supervisors' side: the conflict declaration, the answer
(with a snippet to insert and the laws cited), a supervisor's reassignment, and a snippet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.legal.answering import ANSWER_MAX, ARTICLE_MAX, LAW_MAX, REASON_MAX
from portal.legal.snippets import BODY_MAX, TITLE_MAX
from portal.web.forms import PortalForm, stripped

# Rows of law and article on the answer form.
CITATION_ROWS = 3


class ConflictForm(PortalForm):
    reason = TextAreaField(
        _l("What is the conflict?"),
        description=_l("For example: the other party is my client. Only supervisors read it."),
        validators=[
            InputRequired(_l("Say what the conflict is: only supervisors read it.")),
            Length(max=REASON_MAX, message=_l("Keep the reason within 300 characters.")),
        ],
        filters=[stripped],
    )


def _law(number: int) -> StringField:
    return StringField(
        _l("Law %(number)d", number=number),
        description=_l("For example: 中华人民共和国民法典"),
        validators=[Optional(), Length(max=LAW_MAX, message=_l("At most 100 characters."))],
        filters=[stripped],
    )


def _article(number: int) -> StringField:
    return StringField(
        _l("Article %(number)d", number=number),
        description=_l("For example: 第一千零七十九条"),
        validators=[Optional(), Length(max=ARTICLE_MAX, message=_l("At most 50 characters."))],
        filters=[stripped],
    )


class AnswerForm(PortalForm):
    body = TextAreaField(
        _l("Your answer"),
        description=_l("Plain words: the resident may not know legal terms."),
        validators=[Length(max=ANSWER_MAX, message=_l("Keep the answer within 5,000 characters."))],
    )
    snippet = SelectField(_l("Insert one of your snippets"), choices=[], validate_choice=False)
    law_1, article_1 = _law(1), _article(1)
    law_2, article_2 = _law(2), _article(2)
    law_3, article_3 = _law(3), _article(3)


def citation_rows(form: PortalForm) -> list[tuple[str, str]]:
    """The (law, article) rows as typed."""
    return [
        (form[f"law_{n}"].data or "", form[f"article_{n}"].data or "")
        for n in range(1, CITATION_ROWS + 1)
    ]


class ReassignForm(PortalForm):
    adviser = SelectField(_l("Give it to"), choices=[], validate_choice=False)


class SnippetForm(PortalForm):
    title = StringField(
        _l("Title of the snippet"),
        description=_l("A few words to find it by: 离婚财产分割."),
        validators=[
            InputRequired(_l("Give the snippet a title.")),
            Length(max=TITLE_MAX, message=_l("Keep the title within 100 characters.")),
        ],
        filters=[stripped],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            InputRequired(_l("Write the snippet's text.")),
            Length(max=BODY_MAX, message=_l("Keep the snippet within 3,000 characters.")),
        ],
    )
