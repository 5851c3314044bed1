"""What staff accounts do when other features act: refusing a sign-in number as a public phone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.errors import Invalid
from portal.events import handles
from portal.places.events import PublicPhoneChosen


@handles(PublicPhoneChosen)
def refuse_sign_in_number(session: Session, event: PublicPhoneChosen) -> None:
    """Refuse a public number that someone signs in with."""
    # A number on every door is no secret: if it were someone's sign-in number, anyone could
    # try passwords against it and lock that person out.
    if session.scalar(select(User.id).where(User.phone == event.digits[-11:])) is not None:
        raise Invalid(
            _l(
                "This is someone's sign-in number. Posters need a work number that nobody signs in with."
            ),
            field="phone",
        )
