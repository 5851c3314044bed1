"""Checking a printed document on a phone: scan its QR code, read whether it counts."""

from __future__ import annotations

from PIL import Image
from playwright.sync_api import expect

from portal.db import db, utcnow
from portal.permissions import SYSTEM
from portal.places.models import Place
from portal.verification import register_kind, services
from portal.verification.kinds import KINDS_EXTENSION
from tests.qr import decode
from tests.verification.conftest import CERTIFICATE, FACTS

GRID = "44039900100101"  # 塘尾社区第一网格 of the demo district
TEXT = {
    "zh": {"valid": "有效：由本平台出具，未被撤销", "withdrawn": "已撤销：此文件不再有效",
           "unknown": "没有这个核验码的文件"},
    "en": {"valid": "Valid: issued by the portal and not withdrawn",
           "withdrawn": "Withdrawn: this document no longer counts",
           "unknown": "No document has this code"},
}  # fmt: skip


def font_size(page, selector: str) -> float:
    return page.locator(selector).first.evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )


def test_someone_scans_a_certificate_and_sees_whether_it_counts(
    live_server, phone, check, language, monkeypatch, tmp_path
):
    app = live_server.app
    monkeypatch.setitem(app.extensions, KINDS_EXTENSION, dict(app.extensions[KINDS_EXTENSION]))
    register_kind(app, CERTIFICATE)
    with app.app_context():
        community = db.session.query(Place).filter_by(code=GRID).one().parent
        document = services.issue(
            db.session, SYSTEM, CERTIFICATE, subject="volunteering:1", place=community,
            facts=FACTS, now=utcnow(),
        )  # fmt: skip
        db.session.commit()
    printed = tmp_path / "qr.png"
    printed.write_bytes(services.qr_png(app.config["BASE_URL"], document.code))
    [url] = decode(Image.open(printed))
    words = TEXT[language]

    phone.goto(url)
    expect(phone.locator(".verdict")).to_contain_text(words["valid"])
    expect(phone.locator("main")).to_contain_text("张*丰")
    assert font_size(phone, ".verdict-state") >= 24 and font_size(phone, "main dd") >= 18
    check(phone, "1-valid")

    with app.app_context():
        found = services.verify(db.session, document.code)
        services.withdraw(db.session, SYSTEM, CERTIFICATE, found, reason="重复计时", now=utcnow())
        db.session.commit()
    phone.reload()
    expect(phone.locator(".verdict")).to_contain_text(words["withdrawn"])
    expect(phone.locator(".verdict")).to_contain_text("重复计时")
    check(phone, "2-withdrawn")

    phone.goto(url[:-1] + ("0" if url[-1] != "0" else "1"))
    expect(phone.locator("h1")).to_have_text(words["unknown"])
    check(phone, "3-unknown")
