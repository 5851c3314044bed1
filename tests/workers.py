"""Worker processes for tests and benchmarks: `flask --app portal worker`, configured like an app."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from portal.db import db, utcnow
from portal.notifications.models import SmsMessage
from portal.notifications.services import queue_sms
from tests.conftest import ROOT_DIR
from tests.gateway import SECRET


def queue_many(app, count: int, *, at=None, prefix="test") -> list[str]:
    """Queue `count` messages to different numbers; return their keys in queue order."""
    keys = [f"{prefix}:{index:05d}" for index in range(count)]
    at = at or utcnow()
    with app.test_request_context():
        for index, key in enumerate(keys):
            queue_sms(
                db.session,
                phone=f"1380000{index:04d}",
                kind="sign_in_code",
                params={"code": f"{index:06d}", "minutes": 5},
                locale="en",
                key=key,
                now=at,
            )
        db.session.commit()
    return keys


def messages(app) -> list[SmsMessage]:
    with app.app_context():
        return list(db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)))


def start_worker(app, *args: str, **settings) -> subprocess.Popen:
    """`flask --app portal worker` in a process of its own, configured like `app`."""
    environment = {
        **os.environ,
        "LC_ALL": "en_US.UTF-8",
        "PORTAL_DATABASE_URL": app.config["DATABASE_URL"],
        "PORTAL_SECRET_KEY": app.config["SECRET_KEY"],
        "PORTAL_NOTIFICATIONS_PROVIDER": "http",
        "PORTAL_SMS_GATEWAY_URL": app.config["SMS_GATEWAY_URL"],
        "PORTAL_SMS_GATEWAY_SECRET": SECRET,
        "PORTAL_WORKER_POLL_SECONDS": "0.1",
    }
    environment.update({f"PORTAL_{name}": str(value) for name, value in settings.items()})
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "worker", *args],
        cwd=ROOT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out
