"""Alembic migrations of the portal's schema, run with `flask --app portal db upgrade`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

HERE = Path(__file__).resolve().parent


def alembic_config(
    connection: Connection, *, app_config: Mapping[str, Any] | None = None
) -> Config:
    """An Alembic configuration that migrates through `connection`; `app_config` is the app's
    configuration, for migrations that need its keys (0021 seals volunteers' ID numbers)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    config.attributes["app_config"] = app_config
    return config


def upgrade(
    connection: Connection, revision: str = "head", *, app_config: Mapping[str, Any] | None = None
) -> None:
    command.upgrade(alembic_config(connection, app_config=app_config), revision)
