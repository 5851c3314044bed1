"""A district with two archives and their archivists, and requests made as the resident's
side makes them (the rows, the sealed numbers, the first step and the review clock), for the
tests of every part of archive queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.archives import clocks, identity, steps
from portal.archives.models import (
    Archive,
    ArchiveKind,
    ArchiveMember,
    ArchiveRequest,
    Delivery,
    RecordKind,
    Relation,
    RequestState,
    StepKind,
)
from portal.archives.settings import ArchiveSettings
from portal.permissions import Role
from portal.places.models import Place
from tests import factories

SETTINGS = ArchiveSettings(base_url="https://portal.example")
# The key the test app seals archive queries' ID numbers with (from its secret key).
SEAL_KEY = identity.key_from({"SECRET_KEY": factories.CODE_SECRET})
# Tuesday 24 November 2026, 10:00 in Shanghai: an ordinary working week.
TUESDAY_10AM = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def kind(session: Session, code: str = "marriage") -> RecordKind:
    """A kind of record the migration seeded (婚姻登记 by default)."""
    return session.scalars(select(RecordKind).where(RecordKind.code == code)).one()


def archive(
    session: Session, place: Place, code: str, name_zh: str, name_en: str, kinds=("marriage",)
) -> Archive:
    made = Archive(code=code, place=place, name_zh=name_zh, name_en=name_en,
                   address_zh="档案路1号", address_en="1 Archive Road", phone="0755-12345678")  # fmt: skip
    session.add(made)
    session.flush()
    for code_ in kinds:
        session.add(ArchiveKind(archive_id=made.id, kind_id=kind(session, code_).id))
    session.flush()
    return made


def member(session: Session, archive_: Archive, user: User) -> User:
    session.add(ArchiveMember(archive_id=archive_.id, user_id=user.id, added_at=factories.EPOCH))
    session.flush()
    return user


@dataclass
class World:
    """A district (factories.tree) with its archive (two archivists) and a street's archive
    (one archivist), an archivist of another district's archive, and a resident."""

    tree: factories.Tree
    archive: Archive
    street_archive: Archive
    elsewhere_archive: Archive
    archivist: User
    second: User
    street_archivist: User
    elsewhere: User
    resident: User


def world(session: Session) -> World:
    tree = factories.tree(session)
    other_district = factories.place(session, None, "别的区")
    district_archive = archive(session, tree.district, "district-archive", "测试区档案馆",
                               "District Archives", kinds=("marriage", "schooling"))  # fmt: skip
    street_archive = archive(session, tree.street, "street-archive", "第一街道档案室",
                             "First Street Records Room")  # fmt: skip
    elsewhere_archive = archive(session, other_district, "elsewhere-archive", "别的区档案馆",
                                "Other District Archives")  # fmt: skip
    return World(
        tree=tree,
        archive=district_archive,
        street_archive=street_archive,
        elsewhere_archive=elsewhere_archive,
        archivist=member(session, district_archive,
                         factories.user(session, Role.ARCHIVIST, tree.district, name="孙档案")),
        second=member(session, district_archive,
                      factories.user(session, Role.ARCHIVIST, tree.district, name="钱档案")),
        street_archivist=member(session, street_archive,
                                factories.user(session, Role.ARCHIVIST, tree.street, name="许档案")),
        elsewhere=member(session, elsewhere_archive,
                         factories.user(session, Role.ARCHIVIST, other_district, name="吴档案")),
        resident=factories.user(session, name="李居民"),
    )  # fmt: skip


def request(
    session: Session,
    world_: World,
    *,
    now: datetime = TUESDAY_10AM,
    archive_: Archive | None = None,
    resident: User | None = None,
    relation: Relation = Relation.NEXT_OF_KIN,
    kind_code: str = "marriage",
    delivery: Delivery = Delivery.ONLINE,
    settings: ArchiveSettings = SETTINGS,
) -> ArchiveRequest:
    """A request as sent: SUBMITTED, its review clock running, its numbers sealed."""
    archive_ = archive_ or world_.archive
    resident = resident or world_.resident
    about_someone = relation is not Relation.SELF
    made = ArchiveRequest(
        reference=steps.new_reference(session),
        user_id=resident.id, user=resident, archive_id=archive_.id, archive=archive_,
        kind=kind(session, kind_code), relation=relation,
        requester_name="李居民", requester_id_masked="", requester_id_sealed="",
        subject_name="李父" if about_someone else "",
        purpose="办理房产继承", delivery=delivery,
        postal_address="李居民 13800000000 测试路1号" if delivery is Delivery.POST else "",
        consented_at=now, locale="zh_Hans_CN", created_at=now, state=RequestState.SUBMITTED,
        due_at=clocks.review_due(session, settings, now),
    )  # fmt: skip
    session.add(made)
    session.flush()
    identity.seal_numbers(
        made,
        factories.id_number(date(1985, 3, 1)),
        factories.id_number(date(1950, 6, 1)) if about_someone else None,
        SEAL_KEY,
    )
    steps.record_step(session, made, StepKind.SENT, actor=resident, now=now)
    return made
