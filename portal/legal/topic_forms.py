"""The administrators' form for the topics of legal questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.shortlists import names_form

TopicForm = names_form(
    _l("As residents read it: 婚姻家庭."), _l("For example: Marriage and family.")
)
