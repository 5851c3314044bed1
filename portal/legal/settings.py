"""What legal consultations take from the configuration, read where a view, the command line
or the worker calls a service: services never look at the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LegalSettings:
    # The first answer is due at the end of this working day after the question, Shanghai
    # time (LEGAL_FIRST_ANSWER_DAYS); a follow-up's answer at the end of this one
    # (LEGAL_FOLLOW_UP_DAYS).
    first_answer_days: int = 2
    follow_up_days: int = 1
    # Follow-ups a resident may ask (LEGAL_MOST_FOLLOW_UPS); after them, a legal service day.
    most_follow_ups: int = 2
    # Days after the last answer, with no follow-up, before a consultation closes by itself
    # (LEGAL_CLOSE_AFTER_DAYS).
    close_after_days: int = 7
    # Days after closing before the resident's documents are deleted; the text is kept
    # (LEGAL_DOCUMENTS_KEPT_DAYS).
    documents_kept_days: int = 180
    # Where the portal is reached (BASE_URL): links in SMS.
    base_url: str = ""

    def __post_init__(self) -> None:
        if min(self.first_answer_days, self.follow_up_days, self.close_after_days) < 1:
            raise ValueError("LEGAL_*_DAYS must be at least 1")
        if self.most_follow_ups < 0 or self.documents_kept_days < 0:
            raise ValueError(
                "LEGAL_MOST_FOLLOW_UPS and LEGAL_DOCUMENTS_KEPT_DAYS cannot be negative"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LegalSettings:
        return cls(
            first_answer_days=int(config.get("LEGAL_FIRST_ANSWER_DAYS", 2)),
            follow_up_days=int(config.get("LEGAL_FOLLOW_UP_DAYS", 1)),
            most_follow_ups=int(config.get("LEGAL_MOST_FOLLOW_UPS", 2)),
            close_after_days=int(config.get("LEGAL_CLOSE_AFTER_DAYS", 7)),
            documents_kept_days=int(config.get("LEGAL_DOCUMENTS_KEPT_DAYS", 180)),
            base_url=str(config.get("BASE_URL", "")).rstrip("/"),
        )
