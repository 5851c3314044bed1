"""The SMS texts of archive queries, in the resident's language, each with a link to the
request (never what the record says, nor an ID number), short enough in Chinese to stay one
SMS with the gateway's signature. The resident is texted when the archive asks for more
documents, refuses, or answers; the archivists of an archive asked to help are texted too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal.notifications.messages import Template, register_template
from portal.notifications.services import queue_sms

MORE_DOCUMENTS_SMS = "archives_more_documents"
REFUSED_SMS = "archives_refused"
ANSWERED_SMS = "archives_answered"
ASSIST_SMS = "archives_assist"
LETTER_WITHDRAWN_SMS = "archives_letter_withdrawn"


def _more_documents(params: dict[str, Any]) -> str:
    return gettext("The archive needs one more document for your request. Please add it: %(url)s",
                   **params)  # fmt: skip


def _refused(params: dict[str, Any]) -> str:
    return gettext("The archive could not take your request. The reason: %(url)s", **params)


def _answered(params: dict[str, Any]) -> str:
    return gettext("Your archive request is answered: %(url)s", **params)


def _letter_withdrawn(params: dict[str, Any]) -> str:
    return gettext("The archive withdrew the result letter of your request. Why: %(url)s",
                   **params)  # fmt: skip


def _assist(params: dict[str, Any]) -> str:
    return gettext(
        "Archive request %(reference)s was passed to your archive for help. Please answer by "
        "the date on its page.",
        **params,
    )


for _kind, _text, _label in (
    (MORE_DOCUMENTS_SMS, _more_documents, _l("Archive request: more documents, for the resident")),
    (REFUSED_SMS, _refused, _l("Archive request refused, for the resident")),
    (ANSWERED_SMS, _answered, _l("Archive request answered, for the resident")),
    (
        LETTER_WITHDRAWN_SMS,
        _letter_withdrawn,
        _l("Archive result letter withdrawn, for the resident"),
    ),
    (ASSIST_SMS, _assist, _l("Archive request passed for help, for the archivists")),
):
    register_template(_kind, Template(_text), _label)


def text_resident(
    session: Session, request: Any, kind: str, *, base_url: str, now: datetime
) -> None:
    """Text the resident who sent `request` about it, with a link to its page."""
    # The short address (/d/<reference>): with the whole one the Chinese text takes two SMS.
    url = f"{base_url}/d/{request.reference}"
    queue_sms(
        session, phone=request.user.phone, kind=kind, locale=request.locale,
        params={"reference": request.reference, "url": url},
        key=f"{kind}:{request.reference}:{now.isoformat()}", now=now,
        cause=f"archive_requests:{request.id}",
    )  # fmt: skip
