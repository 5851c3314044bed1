"""What a volunteer and a coordinator see of the time bank: a person's stored hours, what they
banked this year and by kind of service, how close they are to the cap, and their history in
plain words; a community pool's balance and movements; and the coordinator's CSV files.

Pages only read: an account nobody has moved hours into yet is shown as empty, never made
here (timebank.py makes accounts when hours first move). Each page is a few queries whatever
its length: the hours by kind are one grouped query, read through the volunteer's indexes
(their confirmed sign-ups with the activities' kinds, and the help they gave), and a page of
history is described with one query per kind of thing it names (the transfers' accounts,
activities, people, and the places only donations name).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerMovement, LedgerTransfer, Unit
from portal.permissions import Actor, Permission, require
from portal.phones import mask_phone
from portal.places.models import Place
from portal.verification.facts import mask_name
from portal.volunteering import timebank
from portal.volunteering.giving import YOUR_KIN
from portal.volunteering.models import (
    Activity,
    HelpRequest,
    HelpState,
    Relative,
    ServiceKind,
    SignUp,
    Volunteer,
    VolunteerState,
)
from portal.volunteering.timebank import TimeBankRules
from portal.volunteering.volunteers import volunteer_of
from portal.web.templating import local_name, local_text, local_time
from portal.workdays.services import SHANGHAI

PER_PAGE = 20
CSV_LIMIT = 50_000
# The subject confirming.py banks an attendance under: "volunteering.sign_up:<id>[:<n>]".
SIGN_UP_SUBJECT = "volunteering.sign_up:"


@dataclass(frozen=True)
class KindHours:
    """Hours banked for one kind of service: in all, and this year."""

    name: str
    minutes: int
    this_year: int


@dataclass(frozen=True)
class Line:
    """One movement of an account's history, in plain words."""

    movement: LedgerMovement
    text: str


@dataclass
class History:
    lines: list[Line]
    # The movement id to ask for the next (older) page with, if there is one.
    older: int | None


@dataclass
class HoursPage:
    """A person's time bank, as their page shows it."""

    held: int
    cap: int
    banked_this_year: int
    by_kind: list[KindHours]
    history: History
    volunteer: Volunteer | None

    @property
    def room(self) -> int:
        return max(self.cap - self.held, 0)

    @property
    def percent(self) -> int:
        """How full the account is, in whole percent (never 100 until it is full)."""
        if self.cap <= 0:
            return 100
        return min(100, self.held * 100 // self.cap)


@dataclass
class PoolPage:
    community: Place
    held: int
    history: History


def held_account(
    session: Session, kind: AccountKind, *, user_id: int | None = None, place_id: int | None = None
) -> LedgerAccount | None:
    """The account of the time bank kept for a person or a place, if hours ever moved there
    (read only: a page never makes one)."""
    owner = LedgerAccount.user_id == user_id if user_id else LedgerAccount.place_id == place_id
    return session.scalar(
        select(LedgerAccount).where(
            LedgerAccount.unit == Unit.MINUTES, LedgerAccount.kind == kind, owner
        )
    )


def year_start(now: datetime) -> datetime:
    """The first moment of `now`'s year in Shanghai."""
    local = now.astimezone(SHANGHAI)
    return datetime(local.year, 1, 1, tzinfo=SHANGHAI)


def banked_by_kind(session: Session, volunteer: Volunteer, *, now: datetime) -> list[KindHours]:
    """The hours confirmed for serving the elderly, by kind of service: at activities and in
    help given to an older resident who asked for it; in all and since the start of this year
    (one grouped query over both, each read through the volunteer's index)."""
    since = year_start(now)
    served = (
        select(
            Activity.service_kind_id.label("kind_id"),
            SignUp.confirmed_minutes.label("minutes"),
            SignUp.confirmed_at.label("at"),
        )
        .join(Activity, Activity.id == SignUp.activity_id)
        .where(
            SignUp.volunteer_id == volunteer.id,
            SignUp.confirmed_at.is_not(None),
            SignUp.confirmed_minutes > 0,
            Activity.serves_elderly.is_(True),
        )
    )
    helped = select(
        HelpRequest.service_kind_id, HelpRequest.done_minutes, HelpRequest.done_at
    ).where(
        HelpRequest.volunteer_id == volunteer.id,
        HelpRequest.state == HelpState.DONE,
        HelpRequest.done_minutes > 0,
    )
    both = union_all(served, helped).subquery()
    rows = session.execute(
        select(
            ServiceKind.name_zh,
            ServiceKind.name_en,
            func.sum(both.c.minutes),
            func.sum(case((both.c.at >= since, both.c.minutes), else_=0)),
        )
        .join(ServiceKind, ServiceKind.id == both.c.kind_id)
        .group_by(ServiceKind.id, ServiceKind.name_zh, ServiceKind.name_en, ServiceKind.position)
        .order_by(ServiceKind.position, ServiceKind.id)
    )
    return [
        KindHours(local_text(zh, en), int(total or 0), int(year or 0))
        for zh, en, total, year in rows
    ]


def hours_page(
    session: Session, actor: Actor, rules: TimeBankRules, *, older: int | None, now: datetime
) -> HoursPage:
    """The signed-in person's time bank: what they hold, the cap, what they banked, their
    history (a page of PER_PAGE, older than movement `older` when given)."""
    volunteer = volunteer_of(session, actor)
    account = held_account(session, AccountKind.PERSON, user_id=actor.id)
    by_kind = banked_by_kind(session, volunteer, now=now) if volunteer is not None else []
    return HoursPage(
        held=account.balance if account is not None else 0,
        cap=account.cap if account is not None and account.cap is not None else rules.cap_minutes,
        banked_this_year=sum(kind.this_year for kind in by_kind),
        by_kind=by_kind,
        history=history(session, account, older=older, viewer_id=actor.id),
        volunteer=volunteer,
    )


def history(
    session: Session, account: LedgerAccount | None, *, older: int | None, viewer_id: int | None
) -> History:
    """A page of `account`'s movements, newest first, each in plain words."""
    if account is None:
        return History([], None)
    movements = ledger.history(session, account, before_id=older, limit=PER_PAGE + 1)
    more = len(movements) > PER_PAGE
    movements = movements[:PER_PAGE]
    texts = describe(session, account, movements, viewer_id=viewer_id)
    return History(
        [Line(each, text) for each, text in zip(movements, texts, strict=True)],
        movements[-1].id if more else None,
    )


# --- the words of a history ------------------------------------------------------------------


@dataclass
class _Names:
    """What a page of movements names, each read in one query."""

    accounts: dict[int, LedgerAccount]
    legs: dict[int, list[int]]  # the accounts of each transfer, by transfer id
    titles: dict[int, str]
    volunteers: dict[int, str]  # real names by user id
    places: dict[int, Place]
    kin: dict[int, Relative]  # the viewer's relatives, by user id


def _sign_up_id(subject: str | None) -> int | None:
    if not subject or not subject.startswith(SIGN_UP_SUBJECT):
        return None
    number = subject[len(SIGN_UP_SUBJECT) :].split(":", 1)[0]
    return int(number) if number.isascii() and number.isdigit() else None


def _names(session: Session, movements: list[LedgerMovement], viewer_id: int | None) -> _Names:
    legs: dict[int, list[int]] = {}
    accounts: dict[int, LedgerAccount] = {}
    for transfer_id, account in session.execute(
        select(LedgerMovement.transfer_id, LedgerAccount)
        .join(LedgerAccount, LedgerAccount.id == LedgerMovement.account_id)
        .where(LedgerMovement.transfer_id.in_({each.transfer_id for each in movements}))
    ):
        legs.setdefault(transfer_id, []).append(account.id)
        accounts[account.id] = account
    sign_ups = {_sign_up_id(each.transfer.subject) for each in movements} - {None}
    titles, volunteers = {}, {}
    if sign_ups:
        for sign_up_id, title, user_id, name in session.execute(
            select(SignUp.id, Activity.title, Volunteer.user_id, Volunteer.real_name)
            .join(Activity, Activity.id == SignUp.activity_id)
            .join(Volunteer, Volunteer.id == SignUp.volunteer_id)
            .where(SignUp.id.in_(sign_ups))
        ):
            titles[sign_up_id] = title
            volunteers[user_id] = name
    users = {a.user_id for a in accounts.values() if a.user_id is not None} - {viewer_id}
    if users:
        volunteers |= dict(
            session.execute(
                select(Volunteer.user_id, Volunteer.real_name).where(Volunteer.user_id.in_(users))
            ).all()
        )
    # Only a donation names a place (the pool's community).
    donations = {each.transfer_id for each in movements if each.transfer.kind == timebank.DONATED}
    place_ids = {
        accounts[account_id].place_id
        for transfer_id in donations
        for account_id in legs.get(transfer_id, [])
        if accounts[account_id].place_id is not None
    }
    places = {}
    if place_ids:
        places = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(place_ids)))}
    kin = {}
    if viewer_id is not None and users:
        kin = {
            relative.user_id: relative
            for relative in session.scalars(
                select(Relative)
                .join(Volunteer, Volunteer.id == Relative.volunteer_id)
                .where(Volunteer.user_id == viewer_id, Relative.user_id.in_(users))
            )
        }
    return _Names(accounts, legs, titles, volunteers, places, kin)


def _counterparts(movement: LedgerMovement, names: _Names) -> list[LedgerAccount]:
    return [
        names.accounts[account_id]
        for account_id in names.legs.get(movement.transfer_id, [])
        if account_id != movement.account_id and account_id in names.accounts
    ]


def _person_of(counterparts: list[LedgerAccount], names: _Names, *, whole: bool = False) -> str:
    """The person on the other side, masked unless `whole` (a relative who gave the reader
    hours is family, confirmed by a coordinator: their own name, not 李*英)."""
    for account in counterparts:
        if account.kind is AccountKind.PERSON:
            name = names.volunteers.get(account.user_id or 0)
            if not name:
                break
            return name if whole else mask_name(name)
    return str(_l("a resident"))


def _describe_one(movement: LedgerMovement, own: LedgerAccount, names: _Names) -> str:
    transfer: LedgerTransfer = movement.transfer
    counterparts = _counterparts(movement, names)
    credit = movement.amount > 0
    pool = own.kind is AccountKind.POOL
    if transfer.kind == ledger.REVERSAL:
        return str(_l("Undone: %(reason)s", reason=transfer.memo))
    if transfer.kind == timebank.BANKED:
        sign_up = _sign_up_id(transfer.subject)
        title = names.titles.get(sign_up or 0, "")
        if pool:
            return str(_l("Over the limit: to the pool (%(title)s)", title=title or "—"))
        if any(account.kind is AccountKind.POOL for account in counterparts):
            return str(_l("Banked: %(title)s (the part over the limit went to the pool)",
                          title=title or "—"))  # fmt: skip
        return str(_l("Banked: %(title)s", title=title or "—"))
    if transfer.kind == timebank.GIVEN:
        if credit:
            return str(
                _l("Received from %(name)s", name=_person_of(counterparts, names, whole=True))
            )
        for account in counterparts:
            relative = names.kin.get(account.user_id or 0)
            if relative is not None:
                return str(_l("Given to %(kin)s %(name)s", kin=YOUR_KIN[relative.kinship],
                              name=relative.name))  # fmt: skip
        return str(_l("Given to a relative"))
    if transfer.kind == timebank.DONATED:
        if pool:
            return str(_l("Donated by %(name)s", name=_person_of(counterparts, names)))
        for account in counterparts:
            place = names.places.get(account.place_id or 0)
            if place is not None:
                return str(_l("Donated to %(community)s's pool", community=local_name(place)))
        return str(_l("Donated to the community's pool"))
    if transfer.kind == timebank.GRANTED:
        return str(_l("Granted by the district: %(reason)s", reason=transfer.memo))
    if transfer.kind == timebank.SPENT:
        if pool and credit:
            return str(_l("Over the limit: to the pool (help given)"))
        if pool:
            return str(_l("Paid for help to a priority elder"))
        return str(_l("Paid for help you gave") if credit else _l("Spent on help you received"))
    return str(_l("Other movement"))


def describe(
    session: Session,
    account: LedgerAccount,
    movements: list[LedgerMovement],
    *,
    viewer_id: int | None,
) -> list[str]:
    """Each movement of `account` in plain words, as its owner (`viewer_id`) or a coordinator
    reads it: "Banked: 陪伴独居老人", "Given to your parent 李秀英", "Undone: <reason>"."""
    if not movements:
        return []
    names = _names(session, movements, viewer_id)
    return [_describe_one(each, account, names) for each in movements]


# --- the coordinator's pool ------------------------------------------------------------------


def pool_page(session: Session, actor: Actor, community: Place, *, older: int | None) -> PoolPage:
    """A community pool's balance and a page of its movements, for its coordinators."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    account = held_account(session, AccountKind.POOL, place_id=community.id)
    return PoolPage(
        community=community,
        held=account.balance if account is not None else 0,
        history=history(session, account, older=older, viewer_id=None),
    )


def pool_rows(session: Session, actor: Actor, community: Place) -> Iterator[list]:
    """The pool's movements, newest first, as rows of the coordinator's CSV file: when, what,
    hours in or out, hours after."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    account = held_account(session, AccountKind.POOL, place_id=community.id)
    if account is None:
        return
    older = None
    done = 0
    while done < CSV_LIMIT:
        movements = list(
            session.scalars(
                select(LedgerMovement)
                .where(
                    LedgerMovement.account_id == account.id,
                    *([LedgerMovement.id < older] if older else []),
                )
                .order_by(LedgerMovement.id.desc())
                .limit(500)
                .options(selectinload(LedgerMovement.transfer))
            )
        )
        if not movements:
            return
        texts = describe(session, account, movements, viewer_id=None)
        for movement, text in zip(movements, texts, strict=True):
            yield [local_time(movement.created_at), text, timebank.hours_figure(movement.amount),
                   timebank.hours_figure(movement.balance_after)]  # fmt: skip
        done += len(movements)
        older = movements[-1].id


def volunteer_rows(session: Session, actor: Actor, community: Place) -> Iterator[list]:
    """The community's approved volunteers with the hours each holds, for the coordinator's CSV
    file: name, masked mobile number, hours stored (one query, by name)."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, community)
    rows = session.execute(
        select(Volunteer.real_name, User.phone, LedgerAccount.balance)
        .join(User, User.id == Volunteer.user_id)
        .outerjoin(
            LedgerAccount,
            (LedgerAccount.user_id == Volunteer.user_id)
            & (LedgerAccount.kind == AccountKind.PERSON)
            & (LedgerAccount.unit == Unit.MINUTES),
        )
        .where(Volunteer.community_id == community.id, Volunteer.state == VolunteerState.APPROVED)
        .order_by(Volunteer.real_name, Volunteer.id)
        .limit(CSV_LIMIT)
        .execution_options(yield_per=500)
    )
    for name, phone, balance in rows:
        yield [name, mask_phone(phone), timebank.hours_figure(balance or 0)]


def home_panel(session: Session, actor: Actor, volunteer: Volunteer) -> dict:
    """What the volunteer's start page shows of their time bank: the hours they hold."""
    account = held_account(session, AccountKind.PERSON, user_id=volunteer.user_id)
    return {"held": account.balance if account is not None else 0}
