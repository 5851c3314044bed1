"""The topics a resident picks when asking a legal question (婚姻家庭, 继承, 劳动争议 ...): a
short list the portal's administrators keep. A topic is added, renamed in both languages, put
in order, and retired (never deleted: consultations and published answers keep it); a retired
topic is no longer offered, and may come back.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.legal.models import LegalTopic
from portal.permissions import Actor, Permission, require
from portal.shortlists import checked_names, move_one_place


def offered_topics(session: Session) -> list[LegalTopic]:
    """The topics a resident may pick, in their order."""
    return list(
        session.scalars(
            select(LegalTopic)
            .where(LegalTopic.is_active.is_(True))
            .order_by(LegalTopic.position, LegalTopic.id)
        )
    )


def offered_topic(session: Session, topic_id: int | None) -> LegalTopic | None:
    """The topic `topic_id` if it is offered, for a question being asked."""
    topic = session.get(LegalTopic, topic_id) if topic_id else None
    return topic if topic is not None and topic.is_active else None


def all_topics(session: Session, actor: Actor) -> list[LegalTopic]:
    """Every topic, retired ones too, in their order."""
    require(actor, Permission.MANAGE_LEGAL)
    return list(session.scalars(select(LegalTopic).order_by(LegalTopic.position, LegalTopic.id)))


def get_topic(session: Session, actor: Actor, topic_id: int) -> LegalTopic:
    require(actor, Permission.MANAGE_LEGAL)
    topic = session.get(LegalTopic, topic_id)
    if topic is None:
        raise NotFound(_l("There is no such topic."))
    return topic


def add_topic(
    session: Session, actor: Actor, *, name_zh: str, name_en: str, now: datetime
) -> LegalTopic:
    """A new topic, last in the list."""
    require(actor, Permission.MANAGE_LEGAL)
    chinese, english = checked_names(name_zh, name_en)
    last = session.scalar(select(func.max(LegalTopic.position))) or 0
    topic = LegalTopic(name_zh=chinese, name_en=english, position=last + 1, is_active=True)
    session.add(topic)
    session.flush()
    audit.record(
        session, "legal.add_topic", actor=actor, now=now, target=topic,
        details={"name_zh": chinese, "name_en": english},
    )  # fmt: skip
    return topic


def rename_topic(
    session: Session, actor: Actor, topic: LegalTopic, *, name_zh: str, name_en: str,
    now: datetime,
) -> LegalTopic:  # fmt: skip
    """New names, in both languages."""
    require(actor, Permission.MANAGE_LEGAL)
    chinese, english = checked_names(name_zh, name_en)
    before = {"name_zh": topic.name_zh, "name_en": topic.name_en}
    topic.name_zh, topic.name_en = chinese, english
    session.flush()
    audit.record(
        session, "legal.rename_topic", actor=actor, now=now, target=topic,
        details={"before": before, "after": {"name_zh": chinese, "name_en": english}},
    )  # fmt: skip
    return topic


def retire_topic(
    session: Session, actor: Actor, topic: LegalTopic, *, retired: bool, now: datetime
) -> LegalTopic:
    """Retire a topic (no longer offered), or offer it again."""
    require(actor, Permission.MANAGE_LEGAL)
    if retired and topic.is_active:
        offered = session.scalar(
            select(func.count()).select_from(LegalTopic).where(LegalTopic.is_active.is_(True))
        )
        if offered <= 1:
            raise Invalid(_l("Keep at least one topic: residents must choose one."))
    topic.is_active = not retired
    session.flush()
    audit.record(
        session, "legal.retire_topic" if retired else "legal.restore_topic",
        actor=actor, now=now, target=topic, details={"name_zh": topic.name_zh},
    )  # fmt: skip
    return topic


def move_topic(
    session: Session, actor: Actor, topic: LegalTopic, step: int, *, now: datetime
) -> None:
    """Move an offered topic one place up (-1) or down (+1)."""
    require(actor, Permission.MANAGE_LEGAL)
    if not topic.is_active:
        raise Invalid(_l("A retired topic is not offered: it has no place in the order."))
    rows = offered_topics(session)
    if not move_one_place(rows, topic, step):
        return
    session.flush()
    audit.record(
        session, "legal.move_topic", actor=actor, now=now, target=topic,
        details={"name_zh": topic.name_zh, "position": topic.position},
    )  # fmt: skip
