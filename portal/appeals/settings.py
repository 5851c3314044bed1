"""What the appeal rules take from the configuration, read once when the app is made.

Services never look at the app: the views, the command line and the worker's sweep hand them
these settings, so that the rules run the same under any of them (or a test).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.appeals import sla


@dataclass(frozen=True)
class AppealSettings:
    # The service clocks, as this district configured them (APPEAL_CLOCKS).
    clocks: sla.Clocks
    # Where the portal is reached (BASE_URL): the tracking links in SMS.
    base_url: str
    # The key of the SMS codes' digests (SECRET_KEY).
    secret: bytes
    # Confirmed reports one building may send in an hour before the next are held for staff
    # (APPEAL_REPORTS_PER_BUILDING_HOUR).
    building_reports_per_hour: int = 60

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AppealSettings:
        """The settings from an app's configuration (APPEAL_CLOCKS, BASE_URL, SECRET_KEY,
        APPEAL_REPORTS_PER_BUILDING_HOUR)."""
        return cls(
            clocks=sla.Clocks.from_config(config["APPEAL_CLOCKS"]),
            base_url=config["BASE_URL"],
            secret=config["SECRET_KEY"].encode(),
            building_reports_per_hour=int(config["APPEAL_REPORTS_PER_BUILDING_HOUR"]),
        )

    def tracking_url(self, tracking: str) -> str:
        """The address of an appeal's tracking page, as SMS carry it."""
        return f"{self.base_url.rstrip('/')}/t/{tracking}"
