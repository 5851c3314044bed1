"""How audit outcomes are named to administrators, in their language."""

from flask_babel import lazy_gettext as _l

from portal.audit.models import Outcome

OUTCOME_LABELS = {
    Outcome.SUCCESS: _l("Done"),
    Outcome.FAILURE: _l("Failed"),
    Outcome.DENIED: _l("Refused"),
}
