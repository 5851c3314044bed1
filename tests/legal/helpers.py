"""Consultations for the advisers' side's tests, sent and followed up by the resident's side's
own functions (asking.send, thread.follow_up), and a district with its advisers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.tracking import ALPHABET
from portal.legal import asking, thread
from portal.legal.models import (
    Consultation,
    ConsultationEntry,
    ConsultationState,
    EntryKind,
    LegalTopic,
)
from portal.legal.settings import LegalSettings
from portal.permissions import Role
from portal.places.models import Place
from tests import factories

SETTINGS = LegalSettings(base_url="https://portal.example")
QUESTION = "我和房东签了一年的租房合同，房东要提前收回房子，押金不退，我该怎么办？"
# Tuesday 24 November 2026, 10:00 in Shanghai: an ordinary working week.
TUESDAY_10AM = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def topic(session: Session) -> LegalTopic:
    found = session.scalar(select(LegalTopic).order_by(LegalTopic.position, LegalTopic.id))
    if found is None:
        found = LegalTopic(name_zh="房屋租赁", name_en="Renting a home", position=1)
        session.add(found)
        session.flush()
    return found


def reference() -> str:
    return "L" + "".join(secrets.choice(ALPHABET) for _ in range(7))


def consultation(
    session: Session,
    community: Place,
    *,
    now: datetime = TUESDAY_10AM,
    resident: User | None = None,
    other_party: str = "王房东",
    question: str = QUESTION,
    settings: LegalSettings = SETTINGS,
) -> Consultation:
    """A consultation from `community`, sent as the resident's side sends it (asking.send):
    WAITING, its answer due, given to an adviser by rotation, who is texted."""
    resident = resident or factories.user(session, name="李居民")
    made = Consultation(
        reference=reference(),
        user_id=resident.id,
        community_id=community.id,
        topic_id=topic(session).id,
        state=ConsultationState.WAITING,
        other_party=other_party,
        consented_at=now,
        created_at=now,
    )
    session.add(made)
    session.flush()
    session.add(
        ConsultationEntry(
            consultation_id=made.id, kind=EntryKind.QUESTION, author_id=resident.id,
            body=question, written_at=now,
        )
    )  # fmt: skip
    session.flush()
    asking.send(session, made, settings, now)
    return made


def follow_up(
    session: Session,
    made: Consultation,
    *,
    now: datetime,
    body: str = "押金的事还想再问一下。",
    settings: LegalSettings = SETTINGS,
) -> None:
    """The resident follows up an answered consultation (thread.follow_up)."""
    thread.follow_up(session, made.user, made, body, settings=settings, now=now)


@dataclass
class World:
    """A district (tree of factories.tree) with two advisers of the community, one of the
    street and one of the district, a legal supervisor of the district and one elsewhere."""

    tree: factories.Tree
    adviser: User
    second: User
    street_adviser: User
    district_adviser: User
    supervisor: User
    elsewhere: User


def world(session: Session) -> World:
    tree = factories.tree(session)
    elsewhere = factories.place(session, None, "别的区")
    return World(
        tree=tree,
        adviser=factories.user(session, Role.LEGAL_ADVISER, tree.community, name="赵律师"),
        second=factories.user(session, Role.LEGAL_ADVISER, tree.community, name="钱律师"),
        street_adviser=factories.user(session, Role.LEGAL_ADVISER, tree.street, name="孙律师"),
        district_adviser=factories.user(session, Role.LEGAL_ADVISER, tree.district, name="李律师"),
        supervisor=factories.user(session, Role.LEGAL_SUPERVISOR, tree.district, name="周主任"),
        elsewhere=factories.user(session, Role.LEGAL_SUPERVISOR, elsewhere, name="吴主任"),
    )
