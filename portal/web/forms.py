"""The language switch: a one-button form in the header of every page."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    locale = HiddenField()
    next = HiddenField()
