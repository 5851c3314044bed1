"""Forms of the administrators' outbox."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from portal.web.forms import PortalForm


class OutboxSearchForm(PortalForm):
    """Sent by POST, so that a number typed in full stays out of URLs and access logs."""

    phone = StringField(
        _l("Mobile number"),
        validators=[Length(max=20)],
        description=_l("In full, or as it is shown: 138****5678."),
    )
    state = HiddenField()
