"""What archive queries take from the configuration, read where a view, the command line or
the worker calls a service: services never look at the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ArchiveSettings:
    # A request is accepted, sent back for more documents or refused by the end of this
    # working day after it arrives (ARCHIVES_REVIEW_DAYS).
    review_days: int = 1
    # Once accepted, it is answered by the end of this working day (ARCHIVES_ANSWER_DAYS).
    answer_days: int = 3
    # An archive asked to help (协办) answers back by the end of this working day
    # (ARCHIVES_ASSIST_DAYS) ...
    assist_days: int = 4
    # ... and the receiving archive answers the resident at the latest this many working days
    # after the assisting archive's deadline (ARCHIVES_AFTER_ASSIST_DAYS).
    after_assist_days: int = 2
    # Days after closing before the requester's own documents are deleted; the request, the
    # letter with its scanned copies and the verification record stay
    # (ARCHIVES_DOCUMENTS_KEPT_DAYS).
    documents_kept_days: int = 90
    # Days a request waits for documents the archive asked for before it closes by itself,
    # refused with a reason that says so (ARCHIVES_DOCUMENTS_WAIT_DAYS): without an end, the
    # documents the resident did send would be kept for ever.
    documents_wait_days: int = 30
    # Where the portal is reached (BASE_URL): links in SMS, the letter's QR code.
    base_url: str = ""

    def __post_init__(self) -> None:
        days = (self.review_days, self.answer_days, self.assist_days, self.after_assist_days)
        if min(days) < 1:
            raise ValueError("ARCHIVES_*_DAYS must be at least 1")
        if self.documents_wait_days < 1:
            raise ValueError("ARCHIVES_DOCUMENTS_WAIT_DAYS must be at least 1")
        if self.documents_kept_days < 0:
            raise ValueError("ARCHIVES_DOCUMENTS_KEPT_DAYS cannot be negative")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ArchiveSettings:
        return cls(
            review_days=int(config.get("ARCHIVES_REVIEW_DAYS", 1)),
            answer_days=int(config.get("ARCHIVES_ANSWER_DAYS", 3)),
            assist_days=int(config.get("ARCHIVES_ASSIST_DAYS", 4)),
            after_assist_days=int(config.get("ARCHIVES_AFTER_ASSIST_DAYS", 2)),
            documents_kept_days=int(config.get("ARCHIVES_DOCUMENTS_KEPT_DAYS", 90)),
            documents_wait_days=int(config.get("ARCHIVES_DOCUMENTS_WAIT_DAYS", 30)),
            base_url=str(config.get("BASE_URL", "")).rstrip("/"),
        )
