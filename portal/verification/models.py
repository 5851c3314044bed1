"""Documents the portal has issued, by the code printed on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.places.models import Place


class IssuedDocument(Base):
    """A volunteer's certificate, an archive result letter …: what /v/<code> vouches for.

    The code is kept as it is, not as a digest: it is printed on the document, which its holder
    shows to whoever checks it, and the issuer must be able to print it again. Rows are never
    deleted; a document that should no longer count is withdrawn, and the page says so.
    """

    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # A DocumentKind's name ("volunteer_certificate"): what the page may show of it.
    kind: Mapped[str] = mapped_column(String(40))
    # What the issuing feature made it from, as "<feature>:<id>" ("archives:42").
    subject: Mapped[str] = mapped_column(String(64), index=True)
    # The community, street … that issued it: named on the page, and the scope of the
    # permission to issue and withdraw it.
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"))
    issued_at: Mapped[datetime]
    # None: issued from the command line.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the page may show, as the feature gave it: already masked, never a full name, an ID
    # number or a phone number.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str] = mapped_column(String(200), default="")

    place: Mapped[Place] = relationship(lazy="joined")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def __repr__(self) -> str:
        return f"<IssuedDocument {self.kind} {self.subject}>"
