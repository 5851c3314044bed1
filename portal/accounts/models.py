"""Users, the roles they hold on places, and the one-time codes sent to their phones."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, enum_column, utcnow
from portal.permissions import STAFF_ROLES, Role

if TYPE_CHECKING:
    from portal.places.models import Place


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    """A person with an account: a resident, a volunteer or a member of staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Mainland mobile number, normalised to 11 digits; the sign-in name.
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    # None: follow the browser's language.
    locale: Mapped[str | None] = mapped_column(String(16))
    # Only staff accounts have a password; residents sign in with an SMS code.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    phone_verified_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # Part of every session cookie; a new value ends every earlier session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user",
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="RoleGrant.id",
        foreign_keys="RoleGrant.user_id",
    )

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.grants}

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class RoleGrant(Base):
    """A role held on a place: a secretary of one community, a grid worker of one grid.

    A grant with no place covers the whole portal (the first administrator).
    """

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_place_id_role", "place_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    place: Mapped[Place | None] = relationship(lazy="selectin")


class PhoneCode(Base):
    """A six-digit code sent by SMS to prove that a phone is at hand, for one purpose
    (accounts/codes.py). Only its HMAC is stored."""

    __tablename__ = "phone_codes"
    __table_args__ = (
        # The newest code of a holder, and the codes it was sent lately (codes.issue, check).
        Index("ix_phone_codes_phone_purpose_created_at", "phone", "purpose", "created_at"),
        # The hourly purge.
        Index("ix_phone_codes_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A registered Purpose's name: "sign_in", "appeal".
    purpose: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(11))
    # What the code confirms ("appeal:A2611-7K3Q"); None when it proves the phone alone.
    subject: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
