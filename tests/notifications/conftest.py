"""Fixtures for delivering SMS: a gateway stub on 127.0.0.1 and a provider that posts to it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.notifications.delivery import Settings
from portal.notifications.providers import HttpProvider
from tests.gateway import SECRET, GatewayStub


@pytest.fixture
def provider(gateway: GatewayStub) -> HttpProvider:
    return HttpProvider(url=gateway.url, secret=SECRET, timeout=0.5)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        batch_size=20,
        lease=timedelta(seconds=60),
        max_attempts=4,
        retry_base=timedelta(seconds=30),
        retry_cap=timedelta(minutes=30),
    )
