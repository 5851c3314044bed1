"""Where grid points are held on the shared ledger (portal/ledger), in whole points: each
person's own account, and each district's issuing account, out of which awarded points come
into being (its balance is minus every point the district has credited)."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.i18n import CHINESE
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, Unit
from portal.places.models import Place, PlaceKind

# What caused a transfer of points, as the ledger records it, and what it is about.
AWARDED = "points.award"
AWARD_SUBJECT = "points.award:"


def award_subject(award_id: int) -> str:
    return f"{AWARD_SUBJECT}{award_id}"


def award_id_of(subject: str | None) -> int | None:
    """The award a transfer's subject names, if it names one."""
    if not subject or not subject.startswith(AWARD_SUBJECT):
        return None
    number = subject[len(AWARD_SUBJECT) :]
    return int(number) if number.isascii() and number.isdigit() else None


def points_text(points: int) -> str:
    """Points in the language of the page or SMS being written: 1500 → "1,500"."""
    return format_decimal(points, "#,##0", locale=str(get_locale() or CHINESE))


def district_of(place: Place) -> Place:
    """The district a place lies in (itself, if it is one)."""
    if place.kind is PlaceKind.DISTRICT:
        return place
    for above in place.ancestors:
        if above.kind is PlaceKind.DISTRICT:
            return above
    raise ValueError(f"{place!r} lies in no district")


def issuer_account(session: Session, place: Place, *, now: datetime) -> LedgerAccount:
    """The points issuing account of `place`'s district."""
    return ledger.account(
        session, Unit.POINTS, AccountKind.ISSUER, place=district_of(place), now=now
    )


def person_account(session: Session, user, *, now: datetime) -> LedgerAccount:
    """`user`'s own points, opened when points first come."""
    return ledger.account(session, Unit.POINTS, AccountKind.PERSON, user=user, now=now)


def held_account(session: Session, user_id: int | None) -> LedgerAccount | None:
    """A person's points account, if points ever came (read only: a page never makes one)."""
    if user_id is None:
        return None
    return session.scalar(
        select(LedgerAccount).where(
            LedgerAccount.unit == Unit.POINTS,
            LedgerAccount.kind == AccountKind.PERSON,
            LedgerAccount.user_id == user_id,
        )
    )
