"""The ledger's rows: accounts with their kept balances, transfers, and the movements that
make them up.

Transfers and movements are written once and never changed: the ORM refuses an update or a
delete of either (AppendOnly), so that a mistake can only be undone by a reversing transfer.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, mapped_column, relationship

from portal.db import Base, enum_column, utcnow
from portal.ledger import rules


class Unit(StrEnum):
    # Time-bank hours, kept in minutes so that half an hour is exact.
    MINUTES = rules.MINUTES
    POINTS = rules.POINTS


class AccountKind(StrEnum):
    # A user's own.
    PERSON = "person"
    # A community's time-bank pool or points pool, on a place.
    POOL = "pool"
    # A district's issuing account, on a place: the only kind whose balance may go below zero;
    # hours and points come into being as movements out of it.
    ISSUER = "issuer"


PERSONAL = text("kind = 'person'")
ON_A_PLACE = text("kind <> 'person'")
WITH_SUBJECT = text("subject IS NOT NULL")


class AppendOnly(Exception):
    """Code tried to change or delete a ledger transfer or movement: a bug, never a user's
    mistake (those are undone by a reversing transfer)."""


class LedgerAccount(Base):
    """Where hours or points are held: a person's, a community's pool or a district's issuer."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        # Plain unique constraints would let NULLs through: partial indexes, one per owner.
        Index(
            "ux_ledger_accounts_unit_user_id_person",
            "unit",
            "user_id",
            unique=True,
            sqlite_where=PERSONAL,
            postgresql_where=PERSONAL,
        ),
        Index(
            "ux_ledger_accounts_unit_kind_place_id",
            "unit",
            "kind",
            "place_id",
            unique=True,
            sqlite_where=ON_A_PLACE,
            postgresql_where=ON_A_PLACE,
        ),
        CheckConstraint(
            "(kind = 'person' AND user_id IS NOT NULL AND place_id IS NULL)"
            " OR (kind <> 'person' AND place_id IS NOT NULL AND user_id IS NULL)",
            name="one_owner",
        ),
        CheckConstraint("balance >= 0 OR kind = 'issuer'", name="balance_not_negative"),
        CheckConstraint("cap IS NULL OR balance <= cap", name="balance_within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    # Kept in step with the movements, under a row lock (services.post).
    balance: Mapped[int] = mapped_column(default=0)
    # The most the balance may hold; None: no limit.
    cap: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        owner = f"user {self.user_id}" if self.user_id else f"place {self.place_id}"
        return f"<LedgerAccount {self.id} {self.kind} {self.unit} of {owner}: {self.balance}>"


class LedgerTransfer(Base):
    """One movement of hours or points between accounts, adding up to zero."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        # The same cause is posted once: two coordinators confirming one attendance at once
        # bank its hours once.
        Index(
            "ux_ledger_transfers_kind_subject",
            "kind",
            "subject",
            unique=True,
            sqlite_where=WITH_SUBJECT,
            postgresql_where=WITH_SUBJECT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit))
    # What caused it, named by the feature ("hours.banked", "ledger.reversal").
    kind: Mapped[str] = mapped_column(String(40))
    # What it is about ("volunteering.attendance:42"); None: nothing that may not recur.
    subject: Mapped[str | None] = mapped_column(String(80))
    memo: Mapped[str] = mapped_column(Text, default="")
    # The transfer this one undoes; a transfer is undone at most once.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), unique=True)
    # None: the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    movements: Mapped[list[LedgerMovement]] = relationship(
        back_populates="transfer", order_by="LedgerMovement.id", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<LedgerTransfer {self.id} {self.kind} {self.subject or ''}>"


class LedgerMovement(Base):
    """One account's part in a transfer, and the account's balance after it."""

    __tablename__ = "ledger_movements"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="moves_something"),
        # An account's history, newest first, paged by id.
        Index("ix_ledger_movements_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount: Mapped[int]
    balance_after: Mapped[int]
    created_at: Mapped[datetime]

    transfer: Mapped[LedgerTransfer] = relationship(back_populates="movements")
    account: Mapped[LedgerAccount] = relationship()

    def __repr__(self) -> str:
        return f"<LedgerMovement {self.id} account {self.account_id}: {self.amount:+d}>"


APPEND_ONLY = (LedgerTransfer, LedgerMovement)


def _refuse_update(_mapper: Mapper, _connection: Any, target: Any) -> None:
    # Called for every dirty instance, changed or not: refuse only a changed column.
    state = inspect(target)
    changed = [
        attribute.key
        for attribute in state.mapper.column_attrs
        if state.attrs[attribute.key].history.has_changes()
    ]
    if changed:
        raise AppendOnly(f"{type(target).__name__} rows are never changed ({', '.join(changed)})")


def _refuse_delete(_mapper: Mapper, _connection: Any, target: Any) -> None:
    raise AppendOnly(f"{type(target).__name__} rows are never deleted")


for _model in APPEND_ONLY:
    event.listen(_model, "before_update", _refuse_update)
    event.listen(_model, "before_delete", _refuse_delete)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """Refuse session.execute(update(...)) and delete(...) of transfers and movements."""
    if not (state.is_update or state.is_delete):
        return
    if any(mapper.class_ in APPEND_ONLY for mapper in state.all_mappers):
        raise AppendOnly("ledger transfers and movements are never changed or deleted")
