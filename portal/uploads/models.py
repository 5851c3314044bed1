"""Uploads: every file kept for a feature, who sent it (as a keyed digest) and what holds it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, enum_column, utcnow


class UploadKind(StrEnum):
    IMAGE = "image"  # re-encoded as a JPEG
    PDF = "pdf"  # written anew without metadata


class Upload(Base):
    """A file someone sent, cleaned and kept in the store until the record holding it goes.

    It is unattached (`owner` None) from the moment it arrives until the form it came with is
    sent; the purge job removes those left unattached for a day.
    """

    __tablename__ = "uploads"
    __table_args__ = (
        # What one address keeps unattached; the purge's unattached, oldest first.
        Index("ix_uploads_address_owner", "address", "owner"),
        Index("ix_uploads_owner_created_at", "owner", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Generated (32 hex digits + .jpg or .pdf); never the name the sender gave it.
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[UploadKind] = mapped_column(enum_column(UploadKind))
    # What it was sent for, named by the feature: "appeals.report", "appeals.resolution".
    purpose: Mapped[str] = mapped_column(String(40))
    # Bytes kept; None for appeal photos stored before the upload store counted them.
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A keyed hash of the address it came from (never the address itself); None for files
    # kept before the upload store.
    address: Mapped[str | None] = mapped_column(String(16))
    # The record holding it, as "<feature>:<id>" ("appeals:42"); None until attached.
    owner: Mapped[str | None] = mapped_column(String(60))

    def __repr__(self) -> str:
        return f"<Upload {self.name} {self.owner or 'unattached'}>"
