# ruff: noqa: F811
# (the fixtures are test_help's, imported to be taken by name)
"""Who is texted when a volunteer is matched, without HTTP: the volunteer gets the whole
address and the elder's name (or the link to their page when the address is too long); the
elder hears which volunteer comes, and so does whoever asked for them, never the coordinator
who matched and never with the volunteer's phone."""

from __future__ import annotations

import pytest

from portal.notifications.messages import sms_length
from portal.permissions import Role
from portal.volunteering import help_requests as services
from tests import factories
from tests.volunteering.test_help import NOW, ask, bank, coordinator, elder, texts, tree, volunteer  # noqa: F401

pytestmark = pytest.mark.usefixtures("app_context")


def match(session, coordinator, made, volunteer):
    return services.match_volunteer(session, coordinator, made, volunteer=volunteer, now=NOW)


def test_the_volunteer_gets_the_whole_address_and_the_elders_name(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder, location="幸福里小区12栋2单元1203室")
    match(session, coordinator, made, volunteer)
    (text,) = texts(session, volunteer.user, "time_bank_help_matched")
    assert "幸福里小区12栋2单元1203室" in text.body and "王奶奶" in text.body
    assert "…" not in text.body.split("到")[1].split("为")[0]
    assert sms_length(text.body) <= 60


def test_a_long_address_is_sent_as_the_link_to_the_volunteers_page(
    app, session, coordinator, elder, volunteer
):
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder,
               location="栖霞区尧化街道尧林仙居社区幸福里小区东区12栋2单元1203室")  # fmt: skip
    match(session, coordinator, made, volunteer)
    (text,) = texts(session, volunteer.user, "time_bank_help_matched")
    base = app.config["BASE_URL"].rstrip("/")
    assert f"{base}/volunteering/help/mine" in text.body and "栖霞" not in text.body


def test_the_elder_hears_which_volunteer_comes_but_not_their_phone(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder)
    match(session, coordinator, made, volunteer)
    (text,) = texts(session, elder.user, "time_bank_help_volunteer_coming")
    assert "志愿者李志愿" in text.body and "12月8日周二 14:00" in text.body
    assert "陪伴" in text.body and volunteer.user.phone not in text.body
    assert texts(session, coordinator, "time_bank_help_volunteer_coming") == []


def test_the_family_member_who_asked_hears_it_too(session, coordinator, elder, volunteer):
    member = factories.family_member(session, elder, name="李建国")
    bank(session, elder.user, 120)
    made = ask(session, member.user, elder)
    match(session, coordinator, made, volunteer)
    (told,) = texts(session, member.user, "time_bank_help_volunteer_coming")
    assert "为王奶奶" in told.body and "志愿者李志愿" in told.body
    assert len(texts(session, elder.user, "time_bank_help_volunteer_coming")) == 1


def test_the_grid_worker_who_asked_hears_it_but_not_the_coordinator_matching(
    session, tree, coordinator, volunteer
):
    elder = factories.elder(session, tree.community, priority=True)
    worker = factories.user(session, Role.GRID_WORKER, tree.grid, name="网格员")
    bank(session, None, 240, community=tree.community)
    by_worker = ask(session, worker, elder, payer="pool")
    match(session, coordinator, by_worker, volunteer)
    assert len(texts(session, worker, "time_bank_help_volunteer_coming")) == 1
    by_coordinator = ask(session, coordinator, elder, payer="pool", starts_at=NOW.replace(hour=9))
    match(session, coordinator, by_coordinator, volunteer)
    assert texts(session, coordinator, "time_bank_help_volunteer_coming") == []
    assert len(texts(session, elder.user, "time_bank_help_volunteer_coming")) == 2


def test_texts_to_the_elder_give_the_communitys_public_number(
    session, tree, coordinator, elder, volunteer
):
    tree.community.phone = "0755-88881234"
    bank(session, elder.user, 120)
    made = ask(session, elder.user, elder, minutes=60)
    match(session, coordinator, made, volunteer)
    (coming,) = texts(session, elder.user, "time_bank_help_volunteer_coming")
    assert coming.body.endswith("疑问请致电社区0755-88881234。")
    member = factories.family_member(session, elder, name="李建国")
    ask(session, member.user, elder, starts_at=NOW.replace(hour=9), minutes=30)
    (asked,) = texts(session, elder.user, "time_bank_help_asked_for_you")
    assert asked.body.endswith("疑问请致电社区0755-88881234。")
