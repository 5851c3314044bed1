"""The upload store (a shared service): pictures and PDFs people send, checked before they are
decoded, stripped of their metadata, kept under generated names, and served only where the
feature that holds them allows (see services.py and web.py)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from flask import Flask

# Where appeal photos were kept before the upload store; its files are the store's now.
FORMER_FOLDER = "appeal-photos"


def upload_folder(app: Flask) -> Path:
    """Where the store keeps its files: UPLOADS_DIR, or APPEAL_PHOTOS_DIR (its older name),
    or instance/uploads."""
    configured = app.config.get("UPLOADS_DIR") or app.config.get("APPEAL_PHOTOS_DIR")
    if configured:
        return Path(configured)
    folder = Path(app.instance_path) / "uploads"
    former = Path(app.instance_path) / FORMER_FOLDER
    if former.is_dir() and not folder.exists():
        # The appeal photos of an older portal become the store's files, names unchanged (the
        # migration to 0008 made their rows). Another process may be renaming it as well.
        with contextlib.suppress(OSError):
            former.rename(folder)
    return folder


def init_app(app: Flask) -> None:
    from portal.jobs.registry import register
    from portal.uploads.images import limit_pillow
    from portal.uploads.jobs import purge_unattached
    from portal.uploads.store import Store
    from portal.uploads.web import STORE, UploadRequest

    limit_pillow()
    app.request_class = UploadRequest
    store = app.extensions[STORE] = Store(upload_folder(app))
    register(
        app,
        "uploads.purge_unattached",
        timedelta(hours=1),
        lambda session, now: purge_unattached(session, store, now),
    )
