"""Civil archive queries (民生档案查档): a resident asks an archive for a copy or proof of a
record (marriage, work history, schooling ...), proving who they are and why they may see it;
archivists review, search or ask another archive to help (协办), on working-day clocks, and
answer with a result letter anyone can verify at /v/<code>.

models.py holds the rows; catalogue.py what residents choose from (kinds of record with their
checklists, the archives keeping them). The resident's side: asking.py (the request, its
documents and the separate consent to the ID numbers), follow_up.py (documents asked for
later). The archivists' side: access.py (who may read a request; audited staff reads),
identity.py (ID numbers sealed, masked, and revealed to the handling archivist only),
review.py (accept, ask for more, refuse), assists.py (协办), answering.py (the result and
its letter, delivery), queue.py. clocks.py counts the deadlines in working days; letters.py
is the letter as the verification service knows it; retention.py deletes the requester's
documents after closing. Administrators keep archives and kinds (archive_admin.py,
kind_admin.py). settings.py reads the district's numbers from the configuration.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l

SETTINGS = "portal.archives.settings"


def init_app(app: Flask) -> None:
    from portal.archives import lapse, messages, retention  # noqa: F401 (messages: SMS kinds)
    from portal.archives.letters import LETTER
    from portal.archives.settings import ArchiveSettings
    from portal.archives.views import admin, archivist, bp, resident  # noqa: F401
    from portal.features import Tile, add_tile
    from portal.jobs.registry import register
    from portal.permissions import Permission, holds_anywhere
    from portal.uploads.web import STORE
    from portal.verification import register_kind

    app.register_blueprint(bp)
    register_kind(app, LETTER)
    settings = app.extensions[SETTINGS] = ArchiveSettings.from_config(app.config)

    add_tile(app, "home", Tile("archives.start", _l("Civil archive queries"),
                               _l("Ask for a copy or proof of a marriage, work or school "
                                  "record."),
                               order=265))  # fmt: skip
    add_tile(app, "desk", Tile("archives.desk", _l("Archive requests"),
                               _l("Residents' archive queries: those to review and to answer, "
                                  "soonest due first."),
                               shown=lambda actor: holds_anywhere(
                                   actor, Permission.HANDLE_ARCHIVE_REQUESTS),
                               order=165))  # fmt: skip
    add_tile(app, "desk", Tile("archives.admin_archives", _l("Archives and kinds of record"),
                               _l("The archives, their archivists and seals, and what residents "
                                  "may ask for."),
                               shown=lambda actor: holds_anywhere(
                                   actor, Permission.MANAGE_ARCHIVES),
                               order=440))  # fmt: skip

    # Requests wait weeks for documents: an hour late to close one harms no one.
    register(app, "archives.lapse", timedelta(hours=1),
             lambda session, now: lapse.lapse(session, settings, now))  # fmt: skip
    # Documents are kept for months: an hour late to delete them harms no one.
    register(app, "archives.documents", timedelta(hours=1),
             lambda session, now: retention.run(session, settings, app.extensions[STORE], now))  # fmt: skip
