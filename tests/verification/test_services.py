"""The verification service without HTTP: issue, verify, withdraw, and the QR code to print."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import qr
from portal.audit.models import AuditEvent
from portal.errors import Forbidden, Invalid
from portal.permissions import SYSTEM, Role
from portal.verification import services
from portal.verification.codes import grouped
from portal.verification.models import IssuedDocument
from tests import factories
from tests.qr import decode, modules_image
from tests.verification.conftest import CERTIFICATE, FACTS

BASE = "https://grid.example.gov.cn"


def issue(session, actor, place, now, subject="volunteering:7", facts=FACTS):
    return services.issue(
        session, actor, CERTIFICATE, subject=subject, place=place, facts=facts, now=now
    )


def audit_entries(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_issued_document_is_found_by_its_code_however_it_is_typed(
    session, tree, secretary, now, app_context
):
    document = issue(session, secretary, tree.community, now)
    session.expire_all()
    for typed in (document.code, grouped(document.code).lower(), f" {grouped(document.code)} "):
        assert services.verify(session, typed) == document
    assert (document.kind, document.subject, document.place, document.facts) == (
        "test_certificate", "volunteering:7", tree.community, FACTS,
    )  # fmt: skip
    assert (document.issued_at, document.issued_by_id, document.is_withdrawn) == (
        now, secretary.id, False,
    )  # fmt: skip
    [entry] = audit_entries(session, "verification.issue")
    assert (entry.actor_id, entry.target_id) == (secretary.id, str(document.id))
    assert entry.details == {"kind": "test_certificate", "subject": "volunteering:7"}


def test_an_unknown_code_and_one_that_cannot_be_a_code_find_nothing(
    session, tree, secretary, now, app_context
):
    issue(session, secretary, tree.community, now)
    for typed in ("0000-0000-0000-0000", "not a code", ""):
        assert services.verify(session, typed) is None


def test_a_withdrawn_document_says_when_by_whom_and_why(session, tree, secretary, now, app_context):
    document = issue(session, secretary, tree.community, now)
    later = now + timedelta(days=3)
    services.withdraw(
        session, secretary, CERTIFICATE, document, reason="  Hours counted twice ", now=later
    )
    session.expire_all()
    found = services.verify(session, document.code)
    assert (found.withdrawn_at, found.withdrawn_by_id, found.withdrawal_reason) == (
        later, secretary.id, "Hours counted twice",
    )  # fmt: skip
    assert found.is_withdrawn
    [entry] = audit_entries(session, "verification.withdraw")
    assert entry.details["reason"] == "Hours counted twice" and entry.occurred_at == later


def test_a_document_is_withdrawn_once(session, tree, secretary, now, app_context):
    document = issue(session, secretary, tree.community, now)
    services.withdraw(session, secretary, CERTIFICATE, document, reason="Mistake", now=now)
    with pytest.raises(Invalid, match="withdrawn already"):
        services.withdraw(session, secretary, CERTIFICATE, document, reason="Again", now=now)
    assert document.withdrawal_reason == "Mistake"
    assert len(audit_entries(session, "verification.withdraw")) == 1


@pytest.mark.parametrize(
    ("reason", "message"), [("  ", "Say why"), ("x" * 201, "within 200 characters")]
)
def test_a_withdrawal_needs_a_short_reason(
    session, tree, secretary, now, app_context, reason, message
):
    document = issue(session, secretary, tree.community, now)
    with pytest.raises(Invalid, match=message) as refused:
        services.withdraw(session, secretary, CERTIFICATE, document, reason=reason, now=now)
    assert refused.value.details["field"] == "reason"
    assert not document.is_withdrawn


def test_only_staff_of_the_issuing_place_issue_and_withdraw(
    session, tree, secretary, now, app_context
):
    other = factories.user(session, Role.SECRETARY, tree.other_community)
    grid_worker = factories.user(session, Role.GRID_WORKER, tree.grid)
    for actor in (other, grid_worker):
        with pytest.raises(Forbidden):
            issue(session, actor, tree.community, now)
    document = issue(session, secretary, tree.community, now)
    for actor in (other, grid_worker):
        with pytest.raises(Forbidden):
            services.withdraw(session, actor, CERTIFICATE, document, reason="No", now=now)
    # The street's administrator covers the community; the command line may do anything.
    admin = factories.user(session, Role.ADMIN, tree.street)
    services.withdraw(session, admin, CERTIFICATE, document, reason="Mistake", now=now)
    assert issue(session, SYSTEM, tree.community, now).issued_by_id is None


def test_a_document_is_withdrawn_only_as_its_own_kind(session, tree, secretary, now, app_context):
    document = issue(session, secretary, tree.community, now)
    document.kind = "archive_letter"
    with pytest.raises(ValueError, match="not a test_certificate"):
        services.withdraw(session, secretary, CERTIFICATE, document, reason="No", now=now)


def test_facts_with_a_whole_id_or_phone_number_are_refused(
    session, tree, secretary, now, app_context
):
    for facts in ({"volunteer": "张三丰 110105194912310021"}, {"phone": "13800138000"}):
        with pytest.raises(ValueError, match="mask it"):
            issue(session, secretary, tree.community, now, facts=facts)
    assert session.scalars(select(IssuedDocument)).all() == []


def test_each_document_gets_its_own_code(session, tree, secretary, now, app_context):
    codes = {issue(session, secretary, tree.community, now).code for _ in range(20)}
    assert len(codes) == 20


def test_the_documents_about_a_subject_come_newest_first(
    session, tree, secretary, now, app_context
):
    first = issue(session, secretary, tree.community, now)
    second = issue(session, secretary, tree.community, now + timedelta(hours=1))
    issue(session, secretary, tree.community, now, subject="volunteering:8")
    assert services.documents_about(session, "volunteering:7") == [second, first]
    assert services.documents_about(session, "volunteering:9") == []


def test_the_printed_url_and_qr_code_lead_to_the_verification_page():
    code = "7K3MQ9TD2HXC5B8W"
    url = f"{BASE}/v/7K3M-Q9TD-2HXC-5B8W"
    assert services.verification_url(BASE + "/", code) == url
    assert decode(services.qr_png(BASE, code)) == [url]
    printed = services.qr_svg(BASE, code)
    assert printed == qr.svg(qr.matrix(url), label=url, size_mm=services.PRINTED_QR_MM)
    assert 'width="30mm"' in printed and decode(modules_image(qr.matrix(url))) == [url]
    assert "width=" not in services.qr_svg(BASE, code, size_mm=None).split(">", 1)[0]
