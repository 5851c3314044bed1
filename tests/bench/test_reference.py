"""The reference send (tests/bench/reference.py) stays an honest floor for the portal's: it
writes the row the portal's send writes for the report's code, and counts its limits."""

from __future__ import annotations

import re

from limits import parse
from sqlalchemy import select

from portal.accounts import codes
from portal.accounts.models import PhoneCode
from portal.appeals.services import APPEAL_CODE
from tests.bench import reference


def test_the_reference_send_writes_the_code_row_the_portals_send_writes(database, monkeypatch):
    url = database.new_url()
    reference.create_tables(url)
    monkeypatch.setenv("REFERENCE_DATABASE_URL", url)
    app = reference.create_app()
    try:
        client = app.test_client()
        form = client.get("/b/ABCD/report").get_data(True)
        sent = client.post("/b/ABCD/report", data={
            "csrf_token": re.search(r'value="([^"]+)"', form).group(1), "item": "1",
            "description": "楼道有垃圾", "phone": "13712345678", "key": "form-key",
        })  # fmt: skip
    finally:
        app.extensions["reference.engine"].dispose()
    assert sent.status_code == 302

    engine = reference.make_engine(url)

    def columns(table) -> list[tuple[str, str, bool]]:
        return [(c.name, str(c.type.compile(engine.dialect)), c.nullable) for c in table.c]

    assert columns(reference.codes) == columns(PhoneCode.__table__)
    try:
        with engine.connect() as connection:
            [code_row] = connection.execute(select(reference.codes)).all()
            [message] = connection.execute(select(reference.messages.c.body)).scalars()
    finally:
        engine.dispose()
    tracking, code = re.fullmatch(r"Your code for (\S+): (\d{6})", message).groups()
    assert (code_row.purpose, code_row.phone, code_row.subject, code_row.attempts) == (
        APPEAL_CODE.name, "13712345678", f"appeal:{tracking}", 0
    )  # fmt: skip
    assert code_row.expires_at - code_row.created_at == APPEAL_CODE.valid_for
    expected = codes.digest(reference.SECRET, "13712345678", f"appeal:{tracking}", code)
    assert code_row.code_hash == expected
    # The code SMS limits the portal's send counts, among the reference's.
    assert reference.LIMITS[3:] == [parse(APPEAL_CODE.per_address), parse(APPEAL_CODE.per_building)]
