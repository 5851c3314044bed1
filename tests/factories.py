"""Building test data through the portal's own services, so it obeys the same rules."""

from __future__ import annotations

import hashlib
import itertools
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from alembic import command
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from portal import idnumbers
from portal.accounts.models import RoleGrant, User
from portal.accounts.passwords import hash_password
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.migrations import alembic_config, upgrade
from portal.permissions import STAFF_ROLES, SYSTEM, Role
from portal.places import services as places
from portal.places.models import Building, Place, RiskGrade
from portal.uploads.models import Upload, UploadKind
from portal.uploads.store import Store
from portal.volunteering import idseal
from portal.volunteering.models import (
    Activity,
    Elder,
    Evidence,
    FamilyMember,
    FamilyTie,
    HelpPayer,
    HelpRequest,
    HelpState,
    Kinship,
    Relative,
    RelativeState,
    ServiceKind,
    Volunteer,
    VolunteerState,
)

PASSWORD = "a long test passphrase"
_phones = itertools.count(1)
_codes = itertools.count(1)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# The key sign-in codes are kept under in the tests: the test app's secret key.
CODE_SECRET = b"test-secret-key"
# The key volunteers' ID numbers are sealed with in the test app (derived from that secret).
SEAL_KEY = idseal.key_from({"SECRET_KEY": CODE_SECRET})


@cache
def _hashed(password: str) -> str:
    # scrypt is slow on purpose; one hash of each test password is enough.
    return hash_password(password)


def next_phone() -> str:
    return f"139{next(_phones):08d}"


@dataclass
class Tree:
    """A district with two streets; street one has two communities, each with a grid."""

    district: Place
    street: Place
    other_street: Place
    community: Place
    other_community: Place
    grid: Place
    other_grid: Place
    building: Building
    other_building: Building


def place(session: Session, parent: Place | None, name: str) -> Place:
    code = f"T{next(_codes):06d}"
    return places.create_place(
        session, SYSTEM, parent, code=code, name_zh=name, name_en=f"{name} (en)", now=EPOCH
    )


def building(session: Session, grid: Place, name: str = "测试楼1栋", **fields) -> Building:
    values = {
        "name_zh": name,
        "name_en": "",
        "address": f"测试路1号{name}",
        "households": 30,
        "risk_grade": RiskGrade.SAFE,
    } | fields
    return places.create_building(session, SYSTEM, grid, places.BuildingFields(**values), now=EPOCH)


def tree(session: Session) -> Tree:
    district = place(session, None, "测试区")
    street = place(session, district, "第一街道")
    other_street = place(session, district, "第二街道")
    community = place(session, street, "甲社区")
    other_community = place(session, street, "乙社区")
    grid = place(session, community, "甲社区第一网格")
    other_grid = place(session, other_community, "乙社区第一网格")
    return Tree(
        district, street, other_street, community, other_community, grid, other_grid,
        building(session, grid, "甲楼1栋"), building(session, other_grid, "乙楼1栋"),
    )  # fmt: skip


def user(
    session: Session,
    role: Role | None = None,
    place: Place | None = None,
    *,
    phone: str | None = None,
    name: str = "测试用户",
    password: str | None = None,
) -> User:
    """An account; staff roles get PASSWORD unless another is given."""
    made = User(phone=phone or next_phone(), display_name=name, created_at=EPOCH)
    if password or (role in STAFF_ROLES):
        made.password_hash = _hashed(password or PASSWORD)
    if role is not None and role != Role.RESIDENT:
        made.grants.append(RoleGrant(role=role, place=place, granted_at=EPOCH))
    session.add(made)
    session.flush()
    return made


def upload(
    session: Session,
    store: Store,
    *,
    purpose: str = "appeals.report",
    created_at: datetime = EPOCH,
    owner: str | None = None,
    address: str | None = "0123456789abcdef",
) -> Upload:
    """An upload with a (tiny, not really a picture) file in `store`."""
    made = Upload(
        name=store.write(b"jpeg", "jpg"),
        kind=UploadKind.IMAGE,
        purpose=purpose,
        size=4,
        created_at=created_at,
        address=address,
        owner=owner,
    )
    session.add(made)
    session.flush()
    return made


def tree_at_revision(connection: Connection, revision: str) -> tuple[Tree, int]:
    """The database on `connection` migrated to the older `revision`, with a place tree and the
    catalogue: the tree and the first kind's id, for a migration test that then writes rows
    as that schema had them.

    The tree is made by today's services, which write today's columns: it is made at the
    newest revision, and the database then migrated down to `revision` (the places, buildings
    and catalogue stay; the objects returned are detached, for their ids and codes)."""
    upgrade(connection)
    session = Session(bind=connection, expire_on_commit=False)
    made = tree(session)
    seed_catalogue(session)
    session.flush()
    item_id = session.scalars(select(CatalogueItem.id).order_by(CatalogueItem.id)).first()
    session.close()
    command.downgrade(alembic_config(connection), revision)
    return made, item_id


_id_serials = itertools.count(1)


def id_number(born: date = date(1960, 5, 1), area: str = "110105") -> str:
    """A valid 身份证 number (GB 11643 check digit), a new one on every call."""
    from stdnum.cn import ric

    body = f"{area}{born:%Y%m%d}{next(_id_serials) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def volunteer(
    session: Session,
    community: Place,
    *,
    user: User | None = None,
    name: str = "志愿者",
    born: date = date(1960, 5, 1),
    state: VolunteerState = VolunteerState.APPROVED,
) -> Volunteer:
    """A volunteer of `community`, approved unless told; written directly, not through the
    application form, so that tests of activities and hours need no coordinator."""
    number = id_number(born)
    made = Volunteer(
        user=user or globals()["user"](session, name=name),
        community=community,
        real_name=name,
        id_number_masked=idnumbers.mask(number),
        id_number_sealed="",
        id_number_hash=hashlib.sha256(number.encode()).hexdigest(),
        id_consent_at=EPOCH,
        birth_date=born,
        services=["company"],
        state=state,
        applied_at=EPOCH,
        decided_at=EPOCH if state != VolunteerState.APPLIED else None,
    )
    session.add(made)
    session.flush()
    made.id_number_sealed = idseal.seal(number, made.id, SEAL_KEY)
    session.flush()
    return made


def whole_id_number(volunteer: Volunteer) -> str:
    """A volunteer's whole ID number, unsealed with the test app's key (as a reveal would)."""
    return idseal.unseal(volunteer.id_number_sealed, volunteer.id, SEAL_KEY)


def activity(
    session: Session,
    community: Place,
    *,
    starts_at: datetime,
    hours: float = 2,
    seats: int = 10,
    worth_minutes: int | None = None,
    serves_elderly: bool = True,
    kind: str = "company",
    title: str = "陪伴独居老人",
) -> Activity:
    """A published activity of `community`, written directly."""
    made = Activity(
        community=community,
        title=title,
        description="",
        service_kind=session.scalars(select(ServiceKind).where(ServiceKind.code == kind)).one(),
        location="社区服务中心",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        seats=seats,
        seats_taken=0,
        worth_minutes=worth_minutes or round(hours * 60),
        serves_elderly=serves_elderly,
        check_in_secret=secrets.token_hex(32),
        created_at=EPOCH,
    )
    session.add(made)
    session.flush()
    return made


def elder(
    session: Session,
    community: Place,
    *,
    user: User | None = None,
    name: str = "王奶奶",
    born: date = date(1940, 3, 8),
    lives_alone: bool = True,
    low_income: bool = False,
    has_disability: bool = False,
    priority: bool = False,
) -> Elder:
    """An older resident the time bank serves, written directly (no coordinator needed)."""
    made = Elder(
        user=user or globals()["user"](session, name=name),
        community=community,
        real_name=name,
        birth_date=born,
        lives_alone=lives_alone,
        low_income=low_income,
        has_disability=has_disability,
        id_card_seen_at=EPOCH,
        registered_at=EPOCH,
        priority=priority,
        priority_reason="测试" if priority else None,
    )
    session.add(made)
    session.flush()
    return made


def help_request(
    session: Session,
    elder: Elder,
    *,
    starts_at: datetime,
    minutes: int = 60,
    payer: HelpPayer = HelpPayer.OWN,
    kind: str = "company",
) -> HelpRequest:
    """An older resident's request for help, asked and waiting for a volunteer, written
    directly (no stored hours needed)."""
    made = HelpRequest(
        elder=elder,
        community_id=elder.community_id,
        service_kind=session.scalars(select(ServiceKind).where(ServiceKind.code == kind)).one(),
        starts_at=starts_at,
        minutes=minutes,
        location="幸福里12栋1203室",
        note="",
        payer=payer,
        state=HelpState.ASKED,
        asked_at=EPOCH,
        asked_by_id=elder.user_id,
    )
    session.add(made)
    session.flush()
    return made


def relative(
    session: Session,
    volunteer: Volunteer,
    *,
    state: RelativeState = RelativeState.CONFIRMED,
    kinship: Kinship = Kinship.PARENT,
    name: str = "李秀英",
    user: User | None = None,
) -> Relative:
    """A relative `volunteer` declared (confirmed, having seen the household register, unless
    told), with an account of their own; written directly, without a coordinator."""
    state = RelativeState(state)
    made = Relative(
        volunteer_id=volunteer.id,
        user_id=(user or globals()["user"](session, name=name)).id,
        kinship=kinship,
        name=name,
        state=state,
        declared_at=EPOCH,
        decided_at=EPOCH if state is not RelativeState.DECLARED else None,
        evidence=Evidence.HOUSEHOLD_REGISTER if state is RelativeState.CONFIRMED else None,
        refuse_reason="姓名不符" if state is RelativeState.REFUSED else None,
    )
    session.add(made)
    session.flush()
    return made


def family_member(
    session: Session,
    elder: Elder,
    *,
    user: User | None = None,
    name: str = "李建国",
    tie: FamilyTie = FamilyTie.PARENT,
    removed: bool = False,
) -> FamilyMember:
    """A family member who may ask for help for `elder` (the elder agreed), with an account
    of their own unless given; written directly, without a coordinator."""
    made = FamilyMember(
        elder=elder,
        user=user or globals()["user"](session, name=name),
        name=name,
        tie=tie,
        elder_agreed_at=EPOCH,
        added_at=EPOCH,
        removed_at=EPOCH if removed else None,
    )
    session.add(made)
    session.flush()
    return made
