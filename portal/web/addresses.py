"""What arrives in a page's address, checked before any view reads it.

Ids in the path go through one converter, which every `<int:...>` rule uses: an id no row
can have (beyond PostgreSQL's integer, or not a number once full-width digits are read as
ASCII) matches no page, so it is a 404 rather than a database error. A path or query
argument holding a control character (portal/characters.py) is answered before any view
runs: 404 for the path, 400 with a message for the arguments.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter, ValidationError

from portal.characters import has_control_characters
from portal.numbers import parse_id
from portal.web.errors import render_error

CONTROL_CHARACTERS_IN_ADDRESS = _l(
    "The address has invisible control characters in it. Check the link or what was typed "
    "into the address bar, and try again."
)


class IdConverter(IntegerConverter):
    """`<int:...>` in every rule: an id as portal.numbers.parse_id reads it."""

    def to_python(self, value: str) -> int:
        try:
            return parse_id(value)
        except ValueError:
            raise ValidationError() from None


def _refuse_control_characters() -> Any:
    if has_control_characters(request.path):
        abort(404)
    for name, value in request.args.items(multi=True):
        if has_control_characters(name) or has_control_characters(value):
            return render_error(400, CONTROL_CHARACTERS_IN_ADDRESS)
    return None


def init_app(app: Flask) -> None:
    # Before any rule is added: a rule binds its converters when it is added.
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_control_characters)
