"""The ledger (账本) the time bank and grid points run on: accounts, transfers and their undoing.

Every change is a transfer of whole minutes or points between accounts, adding up to zero.
`post` locks the accounts it moves (in id order, so that two transfers never wait on each
other), reads their balances afresh under the lock, checks them with rules.py and writes the
transfer, its movements and the new balances together. A mistake is undone by `reverse`,
never by an edit or a delete. The ledger knows nothing of volunteering or points: the calling
feature checks who may move what, and audits its own actions.

Functions take a Session (and the acting person and `now` where they write); they flush,
never commit. On SQLite a writing transaction holds the database's write lock from its start
(portal/db.py): a view that read first calls portal.db.start_writing before posting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.db import utcnow
from portal.errors import NotFound
from portal.ledger import rules
from portal.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerMovement,
    LedgerTransfer,
    Unit,
)
from portal.ledger.rules import (
    AlreadyPosted,
    AlreadyReversed,
    InvalidTransfer,
    NotReversible,
    OverCap,
)
from portal.permissions import Actor

REVERSAL = "ledger.reversal"
HISTORY_PAGE = 50


# --- accounts --------------------------------------------------------------------------------


def _owner_filter(kind: AccountKind, user, place) -> list:
    if kind is AccountKind.PERSON:
        if user is None or place is not None:
            raise InvalidTransfer(_l("A person's account belongs to a person."))
        return [LedgerAccount.user_id == user.id]
    if place is None or user is not None:
        raise InvalidTransfer(_l("A pool or issuing account belongs to a place."))
    return [LedgerAccount.place_id == place.id]


def _find(session: Session, unit: Unit, kind: AccountKind, owner: list) -> LedgerAccount | None:
    return session.scalar(
        select(LedgerAccount).where(LedgerAccount.unit == unit, LedgerAccount.kind == kind, *owner)
    )


def account(
    session: Session,
    unit: Unit | str,
    kind: AccountKind | str,
    *,
    user=None,
    place=None,
    cap: int | None = None,
    now: datetime | None = None,
) -> LedgerAccount:
    """The account of `user` (a person's) or of `place` (a pool, an issuer) in `unit`, made if
    there is none, with `cap` as the most it may hold. An existing account keeps its cap:
    changing one is `set_cap`'s, which locks the account, and a lock taken here, before
    `post` locks its accounts in order, could deadlock two crossing transfers."""
    unit, kind = Unit(unit), AccountKind(kind)
    owner = _owner_filter(kind, user, place)
    _check_cap(cap)
    found = _find(session, unit, kind, owner)
    if found is None:
        made = LedgerAccount(
            unit=unit,
            kind=kind,
            user_id=user.id if user is not None else None,
            place_id=place.id if place is not None else None,
            balance=0,
            cap=cap,
            created_at=now or utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
        except IntegrityError:
            # Another transaction made it meanwhile: the unique index kept one; read it.
            found = _find(session, unit, kind, owner)
            if found is None:
                raise
        else:
            return made
    return found


def set_cap(session: Session, held: LedgerAccount, cap: int | None) -> LedgerAccount:
    """Make `cap` the most `held` may hold (None: no limit); never below what it holds now."""
    _check_cap(cap)
    (locked,) = _lock(session, [held.id])
    if cap is not None and locked.balance > cap:
        raise OverCap(
            _l("This account already holds more than that limit."),
            unit=locked.unit.value,
            account_id=locked.id,
        )
    locked.cap = cap
    session.flush()
    return locked


def _check_cap(cap: int | None) -> None:
    if cap is not None and (not rules.is_whole(cap) or cap < 0):
        raise InvalidTransfer(_l("A limit is a whole number, zero or more."))


def _lock(session: Session, account_ids: Sequence[int]) -> list[LedgerAccount]:
    """The accounts, locked in id order and read afresh (PostgreSQL: FOR UPDATE; SQLite's
    writing transaction holds the database already)."""
    ids = sorted(set(account_ids))
    found = list(
        session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.id.in_(ids))
            .order_by(LedgerAccount.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if len(found) != len(ids):
        raise NotFound(_l("There is no such account."))
    return found


def balance(session: Session, account_or_id: LedgerAccount | int) -> int:
    """What an account holds now, read from the database."""
    account_id = _id_of(account_or_id)
    held = session.scalar(select(LedgerAccount.balance).where(LedgerAccount.id == account_id))
    if held is None:
        raise NotFound(_l("There is no such account."))
    return held


def _id_of(account_or_id: LedgerAccount | int) -> int:
    return account_or_id if isinstance(account_or_id, int) else account_or_id.id


# --- transfers -------------------------------------------------------------------------------


def post(
    session: Session,
    actor: Actor,
    *,
    unit: Unit | str,
    kind: str,
    legs: Sequence[tuple[LedgerAccount, int]],
    subject: str | None = None,
    memo: str = "",
    now: datetime,
) -> LedgerTransfer:
    """Move hours or points between accounts: each leg credits (positive) or debits
    (negative) its account, and they add up to zero. All or nothing. A transfer of the same
    `kind` about the same `subject` is posted once (AlreadyPosted)."""
    return _post(session, actor, Unit(unit), kind, legs, subject, memo, now, reverses=None)


def _post(
    session: Session,
    actor: Actor,
    unit: Unit,
    kind: str,
    legs: Sequence[tuple[LedgerAccount, int]],
    subject: str | None,
    memo: str,
    now: datetime,
    *,
    reverses: LedgerTransfer | None,
) -> LedgerTransfer:
    if not kind or len(kind) > 40 or (subject is not None and not 0 < len(subject) <= 80):
        raise InvalidTransfer(_l("A transfer says what caused it, in a few words."))
    moves = [rules.Leg(held.id, amount) for held, amount in legs]
    rules.check_legs(moves)
    if any(Unit(held.unit) is not unit for held, _amount in legs):
        raise InvalidTransfer(_l("A transfer moves hours or points, never both."))
    if subject is not None and _posted(session, kind, subject):
        raise AlreadyPosted()
    locked = {held.id: held for held in _lock(session, [leg.account_id for leg in moves])}
    # Under the lock, a transfer another transaction committed meanwhile is seen.
    if subject is not None and _posted(session, kind, subject):
        raise AlreadyPosted()
    if reverses is not None and reversal_of(session, reverses) is not None:
        raise AlreadyReversed()
    after = {leg.account_id: locked[leg.account_id].balance + leg.amount for leg in moves}
    rules.check_balances(
        after,
        {account_id: held.cap for account_id, held in locked.items()},
        {account_id for account_id, held in locked.items() if held.kind is AccountKind.ISSUER},
        unit=unit.value,
    )
    transfer = LedgerTransfer(
        unit=unit,
        kind=kind,
        subject=subject,
        memo=memo,
        reverses_id=reverses.id if reverses is not None else None,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(transfer)
            session.flush()
            for leg in moves:
                held = locked[leg.account_id]
                held.balance = after[leg.account_id]
                session.add(
                    LedgerMovement(
                        transfer_id=transfer.id,
                        account_id=held.id,
                        amount=leg.amount,
                        balance_after=held.balance,
                        created_at=now,
                    )
                )
            session.flush()
    except IntegrityError as error:
        # A unique index refused it: the same cause, or an undoing, won by another at once.
        if "reverses_id" in str(error.orig):
            raise AlreadyReversed() from error
        if "subject" in str(error.orig):
            raise AlreadyPosted() from error
        raise
    session.expire(transfer, ["movements"])
    return transfer


@dataclass(frozen=True)
class TransferSpec:
    """One transfer of a batch for post_many: what `post` takes but for the unit and time."""

    kind: str
    legs: Sequence[tuple[LedgerAccount, int]]
    subject: str | None = None
    memo: str = ""


def post_many(
    session: Session,
    actor: Actor,
    *,
    unit: Unit | str,
    transfers: Sequence[TransferSpec],
    now: datetime,
) -> list[LedgerTransfer]:
    """Post `transfers` in order as `post` would one by one, with the same guarantees, all or
    none: a batch with one transfer refused writes nothing. Every account involved is locked
    once, in id order; each transfer is checked against the balances the ones before it leave;
    then the transfers and movements are written in two bulk INSERTs and each balance once.

    For a feature acting on many at once (confirming a 200-person activity): a few statements
    in all instead of some seven a transfer."""
    unit = Unit(unit)
    if not transfers:
        return []
    causes: set[tuple[str, str]] = set()
    for spec in transfers:
        _check_spec(spec, unit)
        if spec.subject is not None:
            if (spec.kind, spec.subject) in causes:
                raise AlreadyPosted()
            causes.add((spec.kind, spec.subject))
    if _any_posted(session, causes):
        raise AlreadyPosted()
    ids = sorted({held.id for spec in transfers for held, _amount in spec.legs})
    locked = {held.id: held for chunk in _chunks(ids) for held in _lock(session, chunk)}
    # Under the locks, a transfer another transaction committed meanwhile is seen.
    if _any_posted(session, causes):
        raise AlreadyPosted()
    running = {account_id: held.balance for account_id, held in locked.items()}
    caps = {account_id: held.cap for account_id, held in locked.items()}
    issuers = {account_id for account_id, held in locked.items() if held.kind is AccountKind.ISSUER}
    afters: list[list[tuple[int, int, int]]] = []  # per transfer: (account, amount, after)
    for spec in transfers:
        after = {held.id: running[held.id] + amount for held, amount in spec.legs}
        rules.check_balances(after, caps, issuers, unit=unit.value)
        running.update(after)
        afters.append([(held.id, amount, after[held.id]) for held, amount in spec.legs])
    by = getattr(actor, "id", None)
    try:
        with session.begin_nested():
            written = list(
                session.scalars(
                    insert(LedgerTransfer).returning(LedgerTransfer, sort_by_parameter_order=True),
                    [
                        {"unit": unit, "kind": spec.kind, "subject": spec.subject,
                         "memo": spec.memo, "reverses_id": None, "created_by_id": by,
                         "created_at": now}
                        for spec in transfers
                    ],
                )
            )  # fmt: skip
            session.execute(
                insert(LedgerMovement),
                [
                    {"transfer_id": transfer.id, "account_id": account_id, "amount": amount,
                     "balance_after": after, "created_at": now}
                    for transfer, legs in zip(written, afters, strict=True)
                    for account_id, amount, after in legs
                ],
            )  # fmt: skip
            for account_id, held in locked.items():
                held.balance = running[account_id]
            session.flush()
    except IntegrityError as error:
        # A unique index refused one: the same cause, won by another at once.
        if "subject" in str(error.orig):
            raise AlreadyPosted() from error
        raise
    for transfer in written:
        session.expire(transfer, ["movements"])
    return written


def _check_spec(spec: TransferSpec, unit: Unit) -> None:
    kind, subject = spec.kind, spec.subject
    if not kind or len(kind) > 40 or (subject is not None and not 0 < len(subject) <= 80):
        raise InvalidTransfer(_l("A transfer says what caused it, in a few words."))
    rules.check_legs([rules.Leg(held.id, amount) for held, amount in spec.legs])
    if any(Unit(held.unit) is not unit for held, _amount in spec.legs):
        raise InvalidTransfer(_l("A transfer moves hours or points, never both."))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[first : first + size] for first in range(0, len(ids), size)]


def _any_posted(session: Session, causes: set[tuple[str, str]]) -> bool:
    """Whether any (kind, subject) of `causes` is in the ledger already."""
    subjects = sorted({subject for _kind, subject in causes})
    for chunk in range(0, len(subjects), 500):
        found = session.execute(
            select(LedgerTransfer.kind, LedgerTransfer.subject).where(
                LedgerTransfer.subject.in_(subjects[chunk : chunk + 500])
            )
        )
        if any((kind, subject) in causes for kind, subject in found):
            return True
    return False


def _posted(session: Session, kind: str, subject: str) -> bool:
    found = session.scalar(
        select(LedgerTransfer.id).where(
            LedgerTransfer.kind == kind, LedgerTransfer.subject == subject
        )
    )
    return found is not None


def reverse(
    session: Session, actor: Actor, transfer: LedgerTransfer, *, reason: str, now: datetime
) -> LedgerTransfer:
    """Undo `transfer` with one moving the same amounts back, `reason` its memo. Refused for
    an undoing, a transfer already undone, or one whose hours or points have been spent
    since (Insufficient)."""
    if transfer.reverses_id is not None or transfer.kind == REVERSAL:
        raise NotReversible()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransfer(_l("Say why the transfer is undone."))
    if reversal_of(session, transfer) is not None:
        raise AlreadyReversed()
    movements = session.scalars(
        select(LedgerMovement)
        .where(LedgerMovement.transfer_id == transfer.id)
        .order_by(LedgerMovement.id)
        .options(selectinload(LedgerMovement.account))
    ).all()
    legs = [(movement.account, -movement.amount) for movement in movements]
    return _post(
        session, actor, Unit(transfer.unit), REVERSAL, legs, None, reason, now, reverses=transfer
    )


def reversal_of(session: Session, transfer: LedgerTransfer) -> LedgerTransfer | None:
    """The transfer that undid `transfer`, if any."""
    return session.scalar(select(LedgerTransfer).where(LedgerTransfer.reverses_id == transfer.id))


def get_transfer(session: Session, transfer_id: int) -> LedgerTransfer:
    found = session.get(LedgerTransfer, transfer_id)
    if found is None:
        raise NotFound(_l("There is no such transfer."))
    return found


def transfer_about(session: Session, kind: str, subject: str) -> LedgerTransfer | None:
    """The transfer of `kind` posted about `subject`, if any."""
    return session.scalar(
        select(LedgerTransfer).where(LedgerTransfer.kind == kind, LedgerTransfer.subject == subject)
    )


# --- reading ---------------------------------------------------------------------------------


def history(
    session: Session,
    account: LedgerAccount | int,
    *,
    before_id: int | None = None,
    limit: int = HISTORY_PAGE,
) -> list[LedgerMovement]:
    """An account's movements, newest first, with their transfers: a page of `limit`, those
    before movement `before_id` when given (the last id of the page before)."""
    query = select(LedgerMovement).where(LedgerMovement.account_id == _id_of(account))
    if before_id is not None:
        query = query.where(LedgerMovement.id < before_id)
    query = (
        query.order_by(LedgerMovement.id.desc())
        .limit(max(1, min(limit, 500)))
        .options(selectinload(LedgerMovement.transfer))
    )
    return list(session.scalars(query))


def recompute(session: Session) -> dict[int, int]:
    """Every account's balance as the sum of its movements, by account id."""
    rows = session.execute(
        select(LedgerAccount.id, func.coalesce(func.sum(LedgerMovement.amount), 0))
        .outerjoin(LedgerMovement, LedgerMovement.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id)
    )
    return {account_id: int(total) for account_id, total in rows}


@dataclass(frozen=True)
class Mismatch:
    """An account whose kept balance is not the sum of its movements."""

    account_id: int
    unit: Unit
    kind: AccountKind
    kept: int
    summed: int


def mismatches(session: Session) -> list[Mismatch]:
    """The accounts whose kept balance differs from the sum of their movements."""
    summed = recompute(session)
    rows = session.execute(
        select(
            LedgerAccount.id, LedgerAccount.unit, LedgerAccount.kind, LedgerAccount.balance
        ).order_by(LedgerAccount.id)
    )
    return [
        Mismatch(account_id, unit, kind, kept, summed.get(account_id, 0))
        for account_id, unit, kind, kept in rows
        if kept != summed.get(account_id, 0)
    ]


def unbalanced_transfers(session: Session) -> list[int]:
    """The ids of transfers whose movements do not add up to zero (none, if all is well)."""
    return list(
        session.scalars(
            select(LedgerMovement.transfer_id)
            .group_by(LedgerMovement.transfer_id)
            .having(func.sum(LedgerMovement.amount) != 0)
            .order_by(LedgerMovement.transfer_id)
        )
    )
