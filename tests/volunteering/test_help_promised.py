# ruff: noqa: F811
# (the fixtures are test_help's, imported to be taken by name)
"""Hours promised to open requests for help are held back, without HTTP: an elder cannot ask
for more of their own hours than are left once their open requests are counted, nor can a
community's pool be promised twice; cancelled and done requests give them back."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.errors import Invalid
from portal.volunteering import help_requests as services
from portal.volunteering.models import HelpState
from tests import factories
from tests.volunteering.test_help import (  # noqa: F401
    AFTER,
    NOW,
    RULES,
    TUESDAY_2PM,
    ask,
    bank,
    coordinator,
    elder,
    matched,
    requests_count,
    tree,
    volunteer,
)

pytestmark = pytest.mark.usefixtures("app_context")


def test_hours_asked_for_are_held_back_from_the_next_request(session, elder):
    bank(session, elder.user, 90)
    ask(session, elder.user, elder, minutes=90)
    with force_locale("zh_Hans_CN"), pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, minutes=90, starts_at=TUESDAY_2PM.replace(hour=8))
    assert refused.value.details["field"] == "minutes"
    assert "您现有1.5小时，其中1.5小时已用于其他求助" in refused.value.message
    # Nothing free is left: "ask for less time" would not help.
    assert "少求助" not in refused.value.message and "互助池" in refused.value.message
    assert requests_count(session) == 1
    assert services.promised_minutes(session, elder_id=elder.id) == 90


def test_what_is_left_may_still_be_asked_for(session, elder):
    bank(session, elder.user, 150)
    ask(session, elder.user, elder, minutes=90)
    with pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, minutes=90, starts_at=TUESDAY_2PM.replace(hour=8))
    assert "Ask for less time." in refused.value.message
    assert ask(session, elder.user, elder, minutes=60, starts_at=TUESDAY_2PM.replace(hour=8))


def test_matched_requests_hold_back_too_and_cancelled_or_done_ones_give_back(
    session, coordinator, elder, volunteer
):
    bank(session, elder.user, 120)
    first = matched(session, coordinator, elder, volunteer, minutes=120)
    later = TUESDAY_2PM.replace(hour=8)
    with pytest.raises(Invalid):
        ask(session, elder.user, elder, minutes=60, starts_at=later)
    services.cancel_help(session, elder.user, first, reason="", now=NOW)
    second = matched(session, coordinator, elder, volunteer, minutes=60, starts_at=later)
    services.confirm_done(session, coordinator, second, minutes=60, rules=RULES, now=AFTER)
    assert second.state is HelpState.DONE
    # 60 paid, 60 left and promised to nothing.
    assert services.promised_minutes(session, elder_id=elder.id) == 0
    assert ask(session, elder.user, elder, minutes=60, starts_at=later).minutes == 60


def test_the_pool_is_not_promised_twice(session, tree):
    first_elder = factories.elder(session, tree.community, priority=True, name="王奶奶")
    other_elder = factories.elder(session, tree.community, priority=True, name="李爷爷")
    bank(session, None, 120, community=tree.community)
    ask(session, first_elder.user, first_elder, payer="pool", minutes=90)
    with force_locale("zh_Hans_CN"), pytest.raises(Invalid) as refused:
        ask(session, other_elder.user, other_elder, payer="pool", minutes=60)
    assert "社区互助池现有2小时，其中1.5小时已用于其他求助" in refused.value.message
    assert ask(session, other_elder.user, other_elder, payer="pool", minutes=30).minutes == 30


def test_own_hours_promised_do_not_hold_back_the_pool_nor_the_other_way(session, tree):
    elder = factories.elder(session, tree.community, priority=True)
    bank(session, elder.user, 60)
    bank(session, None, 60, community=tree.community)
    ask(session, elder.user, elder, payer="own", minutes=60)
    later = TUESDAY_2PM.replace(hour=8)
    assert ask(session, elder.user, elder, payer="pool", minutes=60, starts_at=later)


# --- the same request twice ------------------------------------------------------------------


def test_the_same_help_at_the_same_time_is_not_asked_for_twice(session, coordinator, elder):
    bank(session, elder.user, 600)
    first = ask(session, elder.user, elder, minutes=60)
    with force_locale("zh_Hans_CN"), pytest.raises(Invalid) as refused:
        ask(session, elder.user, elder, minutes=60)
    assert refused.value.message == "您已为这个时间求助过了。"
    assert refused.value.details["field"] == "day"
    # By someone else on the elder's behalf too.
    with pytest.raises(Invalid):
        ask(session, coordinator, elder, payer="pool", minutes=60)
    assert requests_count(session) == 1
    # Another time, or another kind, is another request; once cancelled, it may be asked again.
    assert ask(session, elder.user, elder, minutes=60, starts_at=TUESDAY_2PM.replace(hour=8))
    assert ask(session, elder.user, elder, minutes=60, service_kind="cleaning")
    services.cancel_help(session, elder.user, first, reason="", now=NOW)
    assert ask(session, elder.user, elder, minutes=60).state is HelpState.ASKED


def test_an_elder_cannot_give_or_donate_hours_promised_to_help_asked_for(session, tree, elder):
    # An older volunteer holds 1.5 hours and asked for an hour of help paid with them: only
    # the half hour left is theirs to donate (or give), so the help can still be paid.
    from portal.volunteering import giving

    factories.volunteer(session, tree.community, user=elder.user)
    bank(session, elder.user, 90)
    ask(session, elder.user, elder, minutes=60)
    with pytest.raises(Invalid, match=r"1 of them pay for help you asked for: give at most 0\.5"):
        giving.donate_hours(session, elder.user, minutes=60, rules=RULES, now=NOW)
    giving.donate_hours(session, elder.user, minutes=30, rules=RULES, now=NOW)
    assert services.promised_minutes(session, elder_id=elder.id) == 60
