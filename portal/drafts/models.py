"""A draft: one form's answers while it is being filled in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class Draft(Base):
    __tablename__ = "form_drafts"
    # The purge takes the drafts nobody touched for a day.
    __table_args__ = (Index("ix_form_drafts_updated_at", "updated_at"),)

    # Random (192 bits), known only to the browser's session; a form sent under it may use
    # it as its own key (the report's submission key).
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The form it belongs to, named by its feature: "appeals.report".
    purpose: Mapped[str] = mapped_column(String(40))
    # What the feature keeps, in its own shape (for a form: field name → what was typed).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the form became once sent (a tracking number): a second tap on Send, or Back to
    # the last screen, finds it instead of sending again. The answers are gone by then.
    outcome: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Draft {self.purpose} {self.outcome or 'open'}>"
