"""/v/<code> over HTTP: what anyone holding a document sees, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import pytest

from portal.permissions import Permission
from portal.verification import DocumentKind, register_kind, services
from portal.verification.codes import grouped
from tests.qr import decode
from tests.verification.conftest import CERTIFICATE, FACTS

EN = {"Accept-Language": "en-US,en;q=0.9"}
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
# 01:00 on 25 November in Shanghai.
ISSUED_AT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def document(session, tree, secretary, certificate):
    issued = services.issue(
        session, secretary, certificate, subject="volunteering:7", place=tree.community,
        facts=FACTS, now=ISSUED_AT,
    )  # fmt: skip
    session.commit()
    return issued


def without_address(body: str) -> str:
    """The page without its own address, which the language switch and the sign-in link keep
    to come back to."""
    body = re.sub(r'name="next" value="[^"]*"', "", body)
    return re.sub(r'/sign-in\?next=[^"]*"', "", body)


def page(client, code: str, headers=EN):
    response = client.get(f"/v/{code}", headers=headers)
    return response, response.get_data(as_text=True)


def test_a_valid_document_in_english(client, document):
    response, body = page(client, grouped(document.code))
    assert response.status_code == 200
    for expected in ("Certificate of service", "Valid: issued by the portal and not withdrawn",
                     grouped(document.code), "甲社区 (en)", "25 Nov 2026",
                     "Volunteer", "张*丰", "Hours of service", "12"):  # fmt: skip
        assert expected in body, expected
    assert "withdrawn on" not in body


def test_a_valid_document_in_chinese(client, document):
    _response, body = page(client, document.code, ZH)
    for expected in ("有效：由本平台出具，未被撤销", "甲社区", "2026年11月25日", "核验码"):
        assert expected in body, expected


def test_the_page_shows_only_what_the_kind_allows(client, document, secretary):
    _response, body = page(client, document.code)
    assert "kept for the issuer" not in body
    assert secretary.display_name not in body and "volunteering:7" not in body


def test_issue_verify_withdraw_verify_again(client, session, document, secretary):
    assert "Valid" in page(client, document.code)[1]
    services.withdraw(
        session, secretary, CERTIFICATE, document, reason="Hours counted twice", now=WITHDRAWN_AT
    )
    session.commit()
    response, body = page(client, document.code)
    assert response.status_code == 200
    assert "Withdrawn: this document no longer counts" in body
    assert "It was withdrawn on 1 Dec 2026." in body
    assert "Reason: Hours counted twice" in body
    assert "Valid" not in body
    zh = page(client, document.code, ZH)[1]
    assert "已撤销：此文件不再有效" in zh and "撤销日期：2026年12月1日。" in zh


def test_the_reason_is_left_out_where_the_kind_keeps_it(
    client, session, app, monkeypatch, tree, secretary
):
    quiet = DocumentKind("test_quiet", "Quiet letter", Permission.MANAGE_PLACES)
    monkeypatch.setitem(app.extensions, "portal.verification.kinds", {})
    register_kind(app, quiet)
    document = services.issue(
        session, secretary, quiet, subject="s:1", place=tree.community, facts={}, now=ISSUED_AT
    )
    services.withdraw(session, secretary, quiet, document, reason="Private", now=WITHDRAWN_AT)
    session.commit()
    body = page(client, document.code)[1]
    assert "Withdrawn" in body and "Private" not in body


def test_the_page_is_never_kept_so_a_withdrawal_shows_at_once(client, document):
    assert page(client, document.code)[0].headers["Cache-Control"] == "no-store"
    assert page(client, "not-a-code")[0].headers["Cache-Control"] == "no-store"


def test_the_code_is_read_as_people_type_it_from_paper(client, document):
    spaced = quote(" ".join(grouped(document.code).lower().split("-")))
    looks_alike = document.code.replace("0", "o").replace("1", "l")
    for typed in (spaced, looks_alike, document.code.lower()):
        assert page(client, typed)[0].status_code == 200, typed


@pytest.mark.parametrize(
    "typed",
    [
        "not-a-code",
        "7K3M-Q9TD",
        "UUUU-UUUU-UUUU-UUUU",
        "%3Cb%3Efake%3C%2Fb%3E",
        "7K3M-Q9TD-2HXC-5B8W-0",
        "7K3M/Q9TD/2HXC/5B8W",
    ],
)
def test_an_unknown_code_gets_the_same_answer_as_one_that_cannot_be_a_code(client, document, typed):
    unknown = "0000-0000-0000-0000"
    assert unknown.replace("-", "") != document.code
    known_response, known_body = page(client, unknown)
    response, body = page(client, typed)
    assert (response.status_code, known_response.status_code) == (404, 404)
    # The page repeats no code; only the links that come back here keep its address.
    assert without_address(body) == without_address(known_body)
    assert "No document has this code" in body and "fake" not in without_address(body)
    assert "没有这个核验码的文件" in page(client, typed, ZH)[1]


def test_lookups_from_one_address_are_limited(client, app, monkeypatch, document):
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_ADDRESS", "3 per minute")
    assert page(client, document.code)[0].status_code == 200
    assert page(client, "not-a-code")[0].status_code == 404
    assert page(client, "0000-0000-0000-0000")[0].status_code == 404
    refused, body = page(client, document.code)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in body and "Valid" not in body
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert other.get(f"/v/{document.code}").status_code == 200


def test_the_printed_qr_code_opens_this_page(client, app, document):
    [url] = decode(services.qr_png(app.config["BASE_URL"], document.code))
    response, body = page(client, urlsplit(url).path.removeprefix("/v/"))
    assert response.status_code == 200 and grouped(document.code) in body


def test_a_code_followed_by_a_full_stop_is_still_found(client, document):
    """Chat apps and sentences leave a full stop or a bracket after a link."""
    for typed in (
        grouped(document.code) + ".",
        grouped(document.code) + "。",
        f"({document.code})",
    ):
        response, body = page(client, quote(typed))
        assert response.status_code == 200 and "Valid" in body, typed


def test_a_code_typed_by_hand_leads_to_its_page(client, document):
    """WeChat's browser has no address bar: /v has a box to type the printed code into."""
    for address in ("/v", "/v/"):
        form = client.get(address, headers=ZH).get_data(as_text=True)
        assert 'name="code"' in form and "核验码" in form
    typed = grouped(document.code).lower().replace("-", " ")
    response = client.get("/v", query_string={"code": f" {typed} "}, headers=EN)
    assert response.status_code == 302
    _response, body = page(client, urlsplit(response.location).path.removeprefix("/v/"))
    assert "Valid" in body


def test_a_document_of_a_kind_no_feature_registers_is_not_called_valid(
    client, app, document, caplog
):
    """Without its kind, the details cannot be shown; "valid" alone would let a forged paper
    with a real code pass for the real one."""
    app.extensions["portal.verification.kinds"].pop(document.kind)
    response, body = page(client, document.code)
    assert response.status_code == 200
    assert "cannot be checked here" in body and "Valid" not in body
    assert "Do not rely on the paper" in body
    assert "which no feature registers" in caplog.text
