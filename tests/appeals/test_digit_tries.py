"""The last four digits on the tracking page: strangers holding the number slow its wrong
tries down but never lock its owner out, and one address is told truly how long to wait
(issue 18, item 6)."""

from __future__ import annotations

import pytest

from tests.accounts.test_views import EN
from tests.appeals.conftest import file_appeal
from tests.test_ratelimit import clock  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("app_context")


def _try(client, appeal, digits: str, address: str):
    return client.post(
        f"/t/{appeal.tracking}", data={"digits": digits}, headers=EN,
        environ_base={"REMOTE_ADDR": address},
    )  # fmt: skip


def _error(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


def test_strangers_wrong_tries_never_lock_the_owner_out(client, session, tree, now, clock):  # noqa: F811
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    for n in range(10):  # ten addresses, ten wrong tries
        _try(client, appeal, f"{n:04d}", f"10.1.0.{n}")
    slowed = _try(client, appeal, "5678", "10.1.0.99")
    assert "老人过不去" not in _error(slowed), "not shown while tries are slowed down"
    assert "Please try again in 1 minute" in _error(slowed), "the wait it says is the wait"
    clock.advance(61)
    owner = _try(client, appeal, "5678", "10.1.0.99")
    assert owner.status_code == 302
    page = client.get(f"/t/{appeal.tracking}", headers=EN).get_data(as_text=True)
    assert "老人过不去" in page


def test_the_owners_right_digits_let_strangers_start_again_slowly(
    client,
    session,
    tree,
    now,
    clock,  # noqa: F811
):
    appeal = file_appeal(session, tree.building, now)
    session.commit()
    for n in range(6):
        _try(client, appeal, f"{n:04d}", f"10.2.0.{n}")
    clock.advance(61)
    assert _try(client, appeal, "5678", "10.2.0.99").status_code == 302
    wrong = _try(client, appeal, "0000", "10.2.0.98")
    assert "These are not the last 4 digits" in _error(wrong)


def test_one_address_has_twenty_tries_an_hour_and_is_told_so(client, session, tree, now, clock):  # noqa: F811
    appeals = [file_appeal(session, tree.building, now, phone=f"136{n:04d}5678") for n in range(6)]
    session.commit()
    for appeal in appeals[:5]:  # four wrong tries each: none is slowed down
        for n in range(4):
            wrong = _try(client, appeal, f"{n:04d}", "10.3.0.1")
            assert "These are not the last 4 digits" in _error(wrong)
    refused = _try(client, appeals[5], "0000", "10.3.0.1")
    assert "Too many tries from here. Please try again in 1 hour." in _error(refused)
    assert _try(client, appeals[5], "0000", "10.3.0.2").status_code == 200
    clock.advance(3601)
    assert "These are not the last 4" in _error(_try(client, appeals[5], "0001", "10.3.0.1"))
