"""The yearly expiry of grid points, in the districts that choose it (POINTS_EXPIRING_DISTRICTS,
none by default): in December every holder is texted once that their points lapse at the
year's end; from January 1st their unspent points go back to the district's issuing account.

Whose points expire. A person has one points account, whichever community awarded them, so
the district is read from their credited awards: their points expire only when every award
ever credited to them came from an expiring district, and go back to the issuer of the
district of their latest award. Someone who also earned in a district that keeps points keeps
all of theirs: we never take points a district promised would stay.

What expires. The points held since the year's end: the balance then (the last movement
before it), or the lowest it has been since if lower, as points spent or undone in the new
year come out of last year's first. Points earned in the new year stay, however late the
worker runs. Each account's expiry is one ledger transfer about "points.expiry:<year>:<account
id>", posted once (the ledger refuses a repeat), in batches of post_many.

Both steps run only in their month (December, by day; January) and do nothing otherwise;
each call does one batch and returns how many it did, `drain` repeats it for the worker.
Functions take a Session, the settings, plain values and `now`; they flush, never commit
(drain, the worker's wrapper, commits each batch).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts_statement
from portal.i18n import CHINESE, SHANGHAI
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerMovement, LedgerTransfer, Unit
from portal.notifications.models import SmsMessage
from portal.notifications.services import message_values
from portal.permissions import SYSTEM, Actor
from portal.places.models import Place, PlaceKind
from portal.points import accounts
from portal.points.models import AwardState, PointsAward
from portal.points.settings import PointsSettings

EXPIRED = "points.expiry"
EXPIRING_SMS = "points_expiring"
# Accounts one batch warns or expires; drain runs batches until one finds nothing.
BATCH = 500
# The hours (Shanghai) the warning is texted in: never at night to an elderly resident.
WAKING_HOURS = (9, 20)
MOST_BATCHES = 400


def year_end(year: int) -> datetime:
    """The moment `year` ends in Shanghai (midnight of December 31st)."""
    return datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def expiry_subject(year: int, account_id: int) -> str:
    return f"{EXPIRED}:{year}:{account_id}"


def _expiring_districts(session: Session, settings: PointsSettings) -> list[Place]:
    if not settings.expiring_districts:
        return []
    return list(
        session.scalars(
            select(Place).where(
                Place.kind == PlaceKind.DISTRICT,
                Place.code.in_(sorted(settings.expiring_districts)),
            )
        )
    )


def _earned_only_in(districts: list[Place], user_id, *, before: datetime | None = None):
    """A condition on `user_id`: every award credited to them (before `before`) came from a
    community of `districts`, and at least one did."""
    inside = select(Place.id).where(
        Place.kind == PlaceKind.COMMUNITY,
        or_(*(Place.path.startswith(district.path) for district in districts)),
    )
    credited = [PointsAward.user_id == user_id, PointsAward.state == AwardState.CREDITED]
    if before is not None:
        credited.append(PointsAward.credited_at < before)
    return and_(
        exists().where(*credited, PointsAward.community_id.in_(inside)),
        ~exists().where(*credited, PointsAward.community_id.not_in(inside)),
    )


def _holding(districts: list[Place], *, before: datetime | None = None) -> list:
    """Conditions on LedgerAccount: a person's points account holding some, whose points
    belong to `districts`."""
    return [
        LedgerAccount.unit == Unit.POINTS,
        LedgerAccount.kind == AccountKind.PERSON,
        LedgerAccount.balance > 0,
        _earned_only_in(districts, LedgerAccount.user_id, before=before),
    ]


def warn(session: Session, settings: PointsSettings, now: datetime) -> int:
    """In December, by day, text each holder of points in an expiring district, once a year,
    what lapses at the year's end; returns how many this batch texted."""
    local = now.astimezone(SHANGHAI)
    if local.month != 12 or not WAKING_HOURS[0] <= local.hour < WAKING_HOURS[1]:
        return 0
    districts = _expiring_districts(session, settings)
    if not districts:
        return 0
    key = literal(f"{EXPIRING_SMS}:{local.year}:") + cast(User.id, String)
    rows = session.execute(
        select(User.id, User.phone, User.locale, LedgerAccount.balance)
        .join(LedgerAccount, LedgerAccount.user_id == User.id)
        .where(*_holding(districts), ~exists().where(SmsMessage.idempotency_key == key))
        .order_by(User.id)
        .limit(BATCH)
    ).all()
    if not rows:
        return 0
    messages = [
        message_values(
            phone=phone,
            kind=EXPIRING_SMS,
            params={"points": held, "year": local.year},
            locale=locale or CHINESE,
            key=f"{EXPIRING_SMS}:{local.year}:{user_id}",
            now=now,
            cause=f"users:{user_id}",
            # Never texted once the points have lapsed (a worker long stopped).
            expires_at=year_end(local.year),
        )
        for user_id, phone, locale, held in rows
    ]
    # One statement for the batch; a key taken meanwhile (another worker) is skipped.
    statement = insert_ignoring_conflicts_statement(
        session.get_bind().dialect.name, SmsMessage, ("idempotency_key",)
    )
    session.execute(statement, messages)
    session.flush()
    return len(rows)


def expire(session: Session, settings: PointsSettings, now: datetime) -> int:
    """In January, move the points each holder in an expiring district held at the end of the
    year just gone (what is left of them) to the district's issuing account; returns how many
    accounts this batch emptied."""
    local = now.astimezone(SHANGHAI)
    districts = _expiring_districts(session, settings)
    if local.month != 1 or not districts:
        return 0
    year, ended = local.year - 1, year_end(local.year - 1)
    at_year_end = (
        select(LedgerMovement.balance_after)
        .where(LedgerMovement.account_id == LedgerAccount.id, LedgerMovement.created_at < ended)
        .order_by(LedgerMovement.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # The lowest the balance has been since: points spent or undone in the new year came out
    # of last year's first, and what was earned since is not last year's.
    lowest_since = (
        select(func.min(LedgerMovement.balance_after))
        .where(LedgerMovement.account_id == LedgerAccount.id, LedgerMovement.created_at >= ended)
        .scalar_subquery()
    )
    latest_community = (
        select(PointsAward.community_id)
        .where(
            PointsAward.user_id == LedgerAccount.user_id,
            PointsAward.state == AwardState.CREDITED,
            PointsAward.credited_at < ended,
        )
        .order_by(PointsAward.credited_at.desc(), PointsAward.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    subject = literal(f"{EXPIRED}:{year}:") + cast(LedgerAccount.id, String)
    rows = session.execute(
        select(LedgerAccount.id, at_year_end, latest_community)
        .where(
            *_holding(districts, before=ended),
            at_year_end > 0,
            func.coalesce(lowest_since, at_year_end) > 0,
            ~exists().where(LedgerTransfer.kind == EXPIRED, LedgerTransfer.subject == subject),
        )
        .order_by(LedgerAccount.id)
        .limit(BATCH)
    ).all()
    if not rows:
        return 0
    communities = {
        place.id: place
        for place in session.scalars(select(Place).where(Place.id.in_({row[2] for row in rows})))
    }
    issuers = {
        community_id: accounts.issuer_account(session, place, now=now)
        for community_id, place in communities.items()
    }
    held = _locked(session, [row[0] for row in rows] + [each.id for each in issuers.values()])
    # Under the locks, what another worker expired meanwhile is seen, and left alone.
    done = set(
        session.scalars(
            select(LedgerTransfer.subject).where(
                LedgerTransfer.kind == EXPIRED,
                LedgerTransfer.subject.in_([expiry_subject(year, row[0]) for row in rows]),
            )
        )
    )
    # Read again under the locks: the lowest each balance has been since the year ended.
    lowest = dict(
        session.execute(
            select(LedgerMovement.account_id, func.min(LedgerMovement.balance_after))
            .where(
                LedgerMovement.account_id.in_([row[0] for row in rows]),
                LedgerMovement.created_at >= ended,
            )
            .group_by(LedgerMovement.account_id)
        ).all()
    )
    transfers = []
    for account_id, at_end, community_id in rows:
        if expiry_subject(year, account_id) in done:
            continue
        amount = min(at_end, lowest.get(account_id, at_end), held[account_id].balance)
        if amount > 0:
            transfers.append(
                ledger.TransferSpec(
                    kind=EXPIRED,
                    subject=expiry_subject(year, account_id),
                    legs=[(held[account_id], -amount), (issuers[community_id], amount)],
                    memo=str(year),
                )
            )
    if not transfers:
        return 0
    ledger.post_many(session, SYSTEM, unit=Unit.POINTS, transfers=transfers, now=now)
    audit.record(
        session, "points.expire", actor=SYSTEM, now=now,
        details={"year": year, "accounts": len(transfers),
                 "points": sum(-spec.legs[0][1] for spec in transfers)},
    )  # fmt: skip
    return len(transfers)


def _locked(session: Session, account_ids: list[int]) -> dict[int, LedgerAccount]:
    """The accounts, locked in id order as the ledger locks them (so that an award credited at
    the same moment waits rather than deadlocks), their balances read afresh."""
    found = session.scalars(
        select(LedgerAccount)
        .where(LedgerAccount.id.in_(sorted(set(account_ids))))
        .order_by(LedgerAccount.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {each.id: each for each in found}


def lapses_on(
    session: Session, settings: PointsSettings, actor: Actor, now: datetime
) -> date | None:
    """The last day of the signed-in person's points (December 31st), shown on their points
    page during December in an expiring district; None otherwise."""
    local = now.astimezone(SHANGHAI)
    if local.month != 12 or not getattr(actor, "is_authenticated", False) or actor.id is None:
        return None
    districts = _expiring_districts(session, settings)
    if not districts:
        return None
    holding = session.scalar(
        select(LedgerAccount.id).where(LedgerAccount.user_id == actor.id, *_holding(districts))
    )
    return date(local.year, 12, 31) if holding is not None else None


def drain(session: Session, step: Callable[[], int]) -> int:
    """For the worker: run `step` (one batch) and commit, until a batch finds nothing."""
    done = 0
    for _batch in range(MOST_BATCHES):
        count = step()
        session.commit()
        done += count
        if not count:
            break
    return done


def warn_job(settings: PointsSettings) -> Callable[[Session, datetime], int]:
    return lambda session, now: drain(session, lambda: warn(session, settings, now))


def expire_job(settings: PointsSettings) -> Callable[[Session, datetime], int]:
    return lambda session, now: drain(session, lambda: expire(session, settings, now))
