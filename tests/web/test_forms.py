"""A refusal standing for several mistakes (portal.errors.Problems), spread over the fields of
a form by show_error: each on its field, one of no field on the form, the first message the
refusal's own."""

from __future__ import annotations

import pytest
from wtforms import StringField

from portal.errors import Invalid, Problems
from portal.web.forms import PortalForm, show_error


class _Form(PortalForm):
    name = StringField()
    phone = StringField()


def _refuse_name(name: str) -> str:
    if not name:
        raise Invalid("Give a name.", field="name")
    return name


def test_problems_are_collected_and_raised_as_one_refusal():
    problems = Problems()
    assert problems.check(_refuse_name, "李") == "李"
    assert problems.check(_refuse_name, "") is None
    problems.refuse("Eleven digits.", field="phone")
    problems.refuse("Not today.")
    assert problems.on("phone") and not problems.on("day")
    with pytest.raises(Invalid) as caught:
        problems.raise_any()
    assert caught.value.message == "Give a name." and caught.value.details["field"] == "name"
    assert [each.message for each in caught.value.problems] == [
        "Give a name.", "Eleven digits.", "Not today.",
    ]  # fmt: skip
    Problems().raise_any()  # none found: nothing raised


def test_show_error_puts_each_problem_on_its_field(app):
    with app.test_request_context(method="POST"):
        form = _Form(meta={"csrf": False})
        refusal = Invalid.together(
            [Invalid("Give a name.", field="name"), Invalid("Eleven digits.", field="phone"),
             Invalid("Not today.")]
        )  # fmt: skip
        show_error(form, refusal)
        assert form.name.errors == ["Give a name."] and form.phone.errors == ["Eleven digits."]
        assert form.form_errors == ["Not today."]
        # One refusal alone is itself.
        alone = Invalid("Give a name.", field="name")
        assert Invalid.together([alone]) is alone and alone.problems == [alone]
