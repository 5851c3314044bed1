"""Requests left waiting for documents close by themselves after the days set, refused with a
reason in the resident's language, and the resident is texted; others are left alone."""

from __future__ import annotations

from datetime import timedelta

from portal.archives import lapse, review, steps
from portal.archives.models import RequestState, StepKind
from portal.jobs.registry import registered
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM


def waiting(session, world):
    made = helpers.request(session, world)
    review.ask_for_more(session, world.archivist, made, "请补充户口簿", settings=SETTINGS,
                        now=TUESDAY_10AM)  # fmt: skip
    return made


def test_a_request_waiting_thirty_days_for_documents_closes_as_refused(session, app_context, sms):
    world = helpers.world(session)
    made, fresh = waiting(session, world), waiting(session, world)
    fresh.waiting_since = TUESDAY_10AM + timedelta(days=2)
    assert lapse.lapse(session, SETTINGS, TUESDAY_10AM + timedelta(days=29, hours=23)) == 0
    assert lapse.lapse(session, SETTINGS, TUESDAY_10AM + timedelta(days=30)) == 1
    assert made.state is RequestState.REFUSED and made.closed_at == TUESDAY_10AM + timedelta(
        days=30
    )
    assert made.refusal_reason.startswith("档案馆要求补充的材料") and "30" in made.refusal_reason
    assert made.waiting_since is None and fresh.state is RequestState.AWAITING_DOCUMENTS
    step = steps.history(session, made)[-1]
    assert step.kind is StepKind.REFUSED and step.actor_id is None
    assert sms.recent(world.resident.phone)[0].kind == "archives_refused"


def test_documents_arriving_end_the_wait(session, app, app_context):
    from portal.archives import follow_up
    from portal.archives.models import Proof
    from tests.archives.test_follow_up import sent_for

    world = helpers.world(session)
    made = waiting(session, world)
    follow_up.add_documents(session, world.resident, made, sent_for(session, app, Proof.OTHER),
                            settings=SETTINGS, now=TUESDAY_10AM + timedelta(days=1))  # fmt: skip
    assert made.waiting_since is None
    assert lapse.lapse(session, SETTINGS, TUESDAY_10AM + timedelta(days=60)) == 0
    assert made.state is RequestState.SUBMITTED


def test_the_worker_runs_it(app):
    assert "archives.lapse" in {job.name for job in registered(app)}
