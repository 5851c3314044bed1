"""The calendar's page for administrators: each year's source, the warning for a year nobody
knows, entering a year, and who may do so."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.workdays import services as workdays
from portal.workdays.models import WorkdayEntry, WorkdayYear
from portal.workdays.services import local_date
from tests import factories
from tests.accounts.test_views import EN, page, sign_in_by_sms, sign_in_staff
from tests.units.conftest import errors
from tests.workdays.conftest import NATIONAL_DAY_2027

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
UNKNOWN_2030 = "The holidays of 2030 have not been entered yet: working days are counted as Monday to Friday for now."


def text(body: str) -> str:
    """What a reader sees of `body`: the tags gone, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_the_desk_leads_an_administrator_to_the_calendar(admin_client):
    assert 'href="/admin/workdays"' in page(admin_client, "/staff")


def test_a_year_nobody_knows_is_counted_monday_to_friday_and_the_page_says_so(admin_client):
    body = text(page(admin_client, "/admin/workdays?from=2029"))
    assert UNKNOWN_2030 in body
    assert body.count("Not known yet: Monday to Friday") == 3  # 2029, 2030, 2031
    assert "Enter the holidays of 2030" in body
    chinese = admin_client.get("/admin/workdays?from=2029", headers=ZH).get_data(as_text=True)
    assert "2030年的节假日安排尚未录入，工作日暂按周一至周五计算。" in chinese


def test_the_page_shows_this_year_and_the_next_two_with_their_sources(admin_client):
    this_year = local_date(datetime.now(UTC)).year
    body = page(admin_client, "/admin/workdays")
    for year in (this_year, this_year + 1, this_year + 2):
        assert f'id="year-{year}"' in body
    assert f'id="year-{this_year + 3}"' not in body

    body = text(page(admin_client, "/admin/workdays?from=2026"))
    assert "The State Council's published arrangement" in body  # 2026: the package knows it
    assert "Days off 33 days" in body and "Make-up working days 6 days" in body
    assert "The holidays of 2026 have not" not in body
    assert "The holidays of 2027 have not been entered yet" in body


def test_an_administrator_enters_a_year_and_deadlines_count_by_it(admin_client, session, admin):
    form = page(admin_client, "/admin/workdays/2027")
    assert 'name="days"' in form and "2027-10-01..2027-10-07 国庆节 National Day" in form
    response = admin_client.post(
        "/admin/workdays/2027", data={"days": NATIONAL_DAY_2027}, headers=EN
    )
    assert response.headers["Location"] == "/admin/workdays/2027"
    body = text(page(admin_client, "/admin/workdays/2027"))
    assert "The days of 2027 are saved. Deadlines count by them from now on." in body
    assert "Entered by an administrator · 周管理 ·" in body
    assert "Fri, Oct 1 – Thu, Oct 7 Day off 国庆节" not in body  # English readers get English names
    assert "Fri, Oct 1 – Thu, Oct 7 Day off National Day" in body
    assert "Sun, Sep 26 Make-up working day National Day" in body
    assert "The holidays of 2027 have not" not in body
    assert session.scalar(select(func.count()).select_from(WorkdayEntry)) == 8
    started = datetime(2027, 9, 24, 2, 0, tzinfo=UTC)
    due = workdays.due_after_working_days(session, started, 6)
    assert local_date(due) == date(2027, 10, 8)

    chinese = text(admin_client.get("/admin/workdays/2027", headers=ZH).get_data(as_text=True))
    assert "10月1日周五至7日周四 放假 国庆节" in chinese


def test_wrong_lines_are_named_in_the_readers_language_and_nothing_typed_is_lost(
    admin_client, session
):
    typed = "2027-10-01..2027-10-07 国庆节 National Day\n2027-09-29 补班\n2027-02-30 春节"
    response = admin_client.post("/admin/workdays/2027", data={"days": typed}, headers=EN)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    line_2 = "Line 2: 2027-09-29 is a weekday, a working day anyway. Make-up working days fall on a Saturday or Sunday."
    line_3 = "Line 3: there is no day 2027-02-30."
    assert errors(body) == [f"{line_2} {line_3}"]
    # One item a wrong line, in the summary and above the text.
    assert f'<li><a href="#days">{line_2}</a></li><li><a href="#days">{line_3}</a></li>' in body
    assert f"{line_2}<br>{line_3}" in body
    assert f'spellcheck="false">\r\n{typed}</textarea>' in body
    assert '<a href="#days">' in body
    assert session.scalar(select(WorkdayYear.year)) is None

    response = admin_client.post("/admin/workdays/2027", data={"days": typed}, headers=ZH)
    assert (
        "第2行：2027-09-29是周一至周五，本来就是工作日。补班日应是周六或周日。<br>第3行：没有2027-02-30这一天。"
        in (response.get_data(as_text=True))
    )
    response = admin_client.post("/admin/workdays/2027", data={"days": " \n"}, headers=EN)
    assert errors(response.get_data(as_text=True)) == [
        "Enter the year&#39;s holidays and make-up working days, one line each."
    ]


def test_an_entered_year_is_removed_and_the_weekends_count_it_again(admin_client, session, admin):
    workdays.enter_year(session, admin, 2027, NATIONAL_DAY_2027, now=datetime.now(UTC))
    session.commit()
    assert "Remove the days entered for 2027" in page(admin_client, "/admin/workdays/2027")
    # Every deadline counts by these days: the box must be ticked.
    unsure = admin_client.post("/admin/workdays/2027/remove", headers=EN)
    assert unsure.status_code == 400
    assert "Tick the box to say you are sure." in unsure.get_data(as_text=True)
    assert session.scalar(select(WorkdayYear.year)) == 2027
    response = admin_client.post("/admin/workdays/2027/remove", data={"sure": "y"}, headers=EN)
    assert response.headers["Location"] == "/admin/workdays/2027"
    body = text(page(admin_client, "/admin/workdays/2027"))
    assert "What was entered for 2027 is removed." in body
    assert "The holidays of 2027 have not been entered yet" in body
    assert session.scalar(select(WorkdayYear.year)) is None


def test_a_year_outside_the_calendar_is_not_found(admin_client):
    assert admin_client.get("/admin/workdays/1999", headers=EN).status_code == 404
    assert admin_client.get("/admin/workdays?from=2099", headers=EN).status_code == 404


def test_a_secretary_may_not_open_or_change_the_calendar(client, session, secretary):
    sign_in_staff(client, secretary)
    assert 'href="/admin/workdays"' not in page(client, "/staff")
    for url in ("/admin/workdays", "/admin/workdays/2027"):
        assert client.get(url, headers=EN).status_code == 403, url
    response = client.post("/admin/workdays/2027", data={"days": NATIONAL_DAY_2027}, headers=EN)
    assert response.status_code == 403
    sure = {"sure": "y"}
    assert client.post("/admin/workdays/2027/remove", data=sure, headers=EN).status_code == 403
    assert session.scalar(select(WorkdayYear.year)) is None


def test_a_resident_may_not_either_and_a_visitor_is_asked_to_sign_in(client, session, sms):
    response = client.get("/admin/workdays", headers=EN)
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]
    sign_in_by_sms(client, sms, factories.next_phone())
    assert client.get("/admin/workdays", headers=EN).status_code == 403
    response = client.post("/admin/workdays/2027", data={"days": NATIONAL_DAY_2027}, headers=EN)
    assert response.status_code == 403
    assert session.scalar(select(WorkdayYear.year)) is None


@pytest.mark.parametrize("url", ["/admin/workdays", "/admin/workdays/2030"])
def test_the_pages_read_only(admin_client, session, url):
    page(admin_client, url)
    assert session.scalar(select(WorkdayYear.year)) is None
