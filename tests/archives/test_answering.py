"""The receiving archive's answer, without HTTP and with time passed in: the result recorded
issues a letter the verification service finds, closes the request and texts the resident;
withdrawing it shows on /v/<code> at the very next look; a paper result is posted or picked
up once, and only the way the resident chose."""

from __future__ import annotations

import pytest

from portal.archives import answering, assists, documents, letters, review, steps
from portal.archives.models import Delivery, Outcome, RequestState, StepKind
from portal.errors import Invalid, NotFound
from portal.permissions import Role
from portal.verification import services as verification
from portal.verification.codes import grouped
from tests import factories
from tests.accounts.test_views import EN
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM
from tests.archives.test_assists import accepted, passed, scan
from tests.archives.test_review import shanghai

LATER = shanghai(2026, 11, 26)


def record(session, actor, made, outcome=Outcome.FOUND, file_number="婚1983-0042",
           summary="1983年5月12日登记结婚。", scans=()):  # fmt: skip
    answering.record_result(session, actor, made, outcome=outcome, file_number=file_number,
                            summary=summary, scans=list(scans), settings=SETTINGS, now=LATER)  # fmt: skip


def answered(session, world, delivery: Delivery = Delivery.ONLINE):
    made = helpers.request(session, world, delivery=delivery)
    review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
    record(session, world.archivist, made)
    return made


def test_a_record_found_issues_a_letter_that_verifies_and_closes_the_request(
    app, session, app_context, sms
):
    world = helpers.world(session)
    made = accepted(session, world)
    pages = [scan(app, session)]
    record(session, world.second, made, scans=pages)
    assert made.state is RequestState.ANSWERED
    assert made.answered_at == made.closed_at == LATER and made.due_at is None
    assert (made.outcome, made.file_number) == (Outcome.FOUND, "婚1983-0042")
    assert [upload.name for upload in documents.scans(session, made)] == [pages[0].name]
    letter = letters.letter_of(session, made)
    assert verification.verify(session, grouped(letter.code)) == letter
    assert letter.withdrawn_at is None and letter.place_id == world.archive.place_id
    # The letter's public facts name the person masked, never whole.
    assert letter.facts["person"] == "李*" and letter.facts["file_number"] == "婚1983-0042"
    text = sms.recent(world.resident.phone)[0]
    assert text.kind == "archives_answered" and made.reference in text.body
    assert steps.history(session, made)[-1].kind is StepKind.ANSWERED
    # The first to act (accepting) still handles it.
    assert made.handler_id == world.archivist.id


def test_not_found_is_a_result_too_and_needs_no_file_number(session, app_context):
    world = helpers.world(session)
    made = accepted(session, world)
    record(session, world.archivist, made, Outcome.NOT_FOUND, "", "")
    assert made.state is RequestState.ANSWERED and made.outcome is Outcome.NOT_FOUND
    assert letters.letter_of(session, made).facts["outcome"] == "not_found"


def test_a_result_is_refused_with_every_mistake_and_nothing_is_issued(session, app_context):
    world = helpers.world(session)
    made = accepted(session, world)
    with pytest.raises(Invalid) as refused:
        record(session, world.archivist, made, file_number=" ", summary="")
    assert {each.details["field"] for each in refused.value.problems} == {"file_number", "summary"}
    with pytest.raises(Invalid, match="within 1,000 characters"):
        record(session, world.archivist, made, summary="记" * 1001)
    assert made.state is RequestState.ACCEPTED and made.letter_id is None


def test_the_result_waits_for_the_archive_asked_to_help(session, app_context):
    world = helpers.world(session)
    made, assist = passed(session, world)
    with pytest.raises(Invalid, match="Another archive is still looking"):
        record(session, world.archivist, made)
    assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.FOUND,
                          file_number="婚1983-0042", summary="登记结婚。", scans=[],
                          settings=SETTINGS, now=LATER)  # fmt: skip
    record(session, world.archivist, made)
    assert made.state is RequestState.ANSWERED


def test_a_result_is_recorded_once_and_only_for_an_accepted_request(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    with pytest.raises(Invalid, match="moved on"):
        record(session, world.archivist, made)
    made = answered(session, world)
    with pytest.raises(Invalid, match="moved on"):
        record(session, world.second, made, Outcome.NOT_FOUND, "", "")
    assert made.outcome is Outcome.FOUND


def test_a_withdrawn_letter_says_so_on_the_very_next_look(app, client, session):
    # Services in a request context of their own: the client's requests make theirs.
    with app.test_request_context(headers=EN):
        world = helpers.world(session)
        made = answered(session, world)
        letter = letters.letter_of(session, made)
    session.commit()
    url = f"/v/{grouped(letter.code)}"
    before = client.get(url, headers=EN).get_data(as_text=True)
    assert "Valid: issued by the portal" in before and "李父" not in before
    with app.test_request_context(headers=EN):
        with pytest.raises(Invalid, match="Say why the letter is withdrawn") as refused:
            answering.withdraw_letter(
                session, world.archivist, made, " ", settings=SETTINGS, now=LATER
            )
        assert refused.value.details["field"] == "reason"
        answering.withdraw_letter(
            session, world.second, made, "档号有误，已重新出具。", settings=SETTINGS, now=LATER
        )
    session.commit()
    after = client.get(url, headers=EN).get_data(as_text=True)
    assert "Withdrawn: this document no longer counts" in after
    assert "档号有误，已重新出具。" in after
    step = steps.history(session, made)[-1]
    assert step.kind is StepKind.LETTER_WITHDRAWN and step.note == "档号有误，已重新出具。"
    with app.test_request_context(headers=EN), pytest.raises(Invalid, match="withdrawn already"):
        answering.withdraw_letter(
            session, world.archivist, made, "再次撤回", settings=SETTINGS, now=LATER
        )


def test_the_resident_is_texted_when_their_letter_is_withdrawn(session, app_context, sms):
    world = helpers.world(session)
    made = answered(session, world)
    answering.withdraw_letter(
        session, world.archivist, made, "档号有误", settings=SETTINGS, now=LATER
    )
    text = sms.recent(world.resident.phone)[0]
    assert text.kind == "archives_letter_withdrawn"
    assert text.body.endswith(f"/d/{made.reference}") and "档号有误" not in text.body


def test_a_letter_is_withdrawn_only_once_there_is_one(session, app_context):
    world = helpers.world(session)
    made = accepted(session, world)
    with pytest.raises(Invalid, match="moved on"):
        answering.withdraw_letter(
            session, world.archivist, made, "有误", settings=SETTINGS, now=LATER
        )


def test_a_posted_result_is_recorded_once_with_its_tracking_number(session, app_context):
    world = helpers.world(session)
    made = answered(session, world, Delivery.POST)
    with pytest.raises(Invalid, match="by post, not to pick it up"):
        answering.record_collection(session, world.archivist, made, now=LATER)
    with pytest.raises(Invalid, match="carrier and the tracking number") as refused:
        answering.record_dispatch(session, world.archivist, made, "", now=LATER)
    assert refused.value.details["field"] == "note"
    answering.record_dispatch(session, world.archivist, made, "EMS 1234567890123", now=LATER)
    assert made.dispatched_at == LATER and made.dispatch_note == "EMS 1234567890123"
    assert steps.history(session, made)[-1].kind is StepKind.DISPATCHED
    with pytest.raises(Invalid, match="moved on"):
        answering.record_dispatch(session, world.second, made, "EMS 999", now=LATER)
    assert made.dispatch_note == "EMS 1234567890123"


def test_a_picked_up_result_is_recorded_once(session, app_context):
    world = helpers.world(session)
    made = answered(session, world, Delivery.PICKUP)
    with pytest.raises(Invalid, match="not to have it posted"):
        answering.record_dispatch(session, world.archivist, made, "EMS 1", now=LATER)
    answering.record_collection(session, world.archivist, made, now=LATER)
    assert made.collected_at == LATER
    assert steps.history(session, made)[-1].kind is StepKind.COLLECTED
    with pytest.raises(Invalid, match="moved on"):
        answering.record_collection(session, world.archivist, made, now=LATER)


def test_an_online_result_has_no_paper_and_a_withdrawn_letter_is_not_handed_out(
    session, app_context
):
    world = helpers.world(session)
    online = answered(session, world)
    for action in (
        lambda: answering.record_dispatch(session, world.archivist, online, "EMS 1", now=LATER),
        lambda: answering.record_collection(session, world.archivist, online, now=LATER),
    ):
        with pytest.raises(Invalid, match="online: there is no paper"):
            action()
    posted = answered(session, world, Delivery.POST)
    answering.withdraw_letter(
        session, world.archivist, posted, "有误", settings=SETTINGS, now=LATER
    )
    with pytest.raises(Invalid, match="withdrawn: it is no longer handed out"):
        answering.record_dispatch(session, world.archivist, posted, "EMS 1", now=LATER)


def test_only_the_receiving_archives_archivists_answer(app, session, app_context):
    world = helpers.world(session)
    made = accepted(session, world)
    done = answered(session, world, Delivery.PICKUP)
    strangers = (
        world.street_archivist,
        world.elsewhere,
        factories.user(session, Role.SECRETARY, world.tree.community),
        factories.user(session, Role.GRID_WORKER, world.tree.grid),
        factories.user(session, Role.ADMIN, world.tree.district),
        world.resident,
    )
    for stranger in strangers:
        for action in (
            lambda actor: record(session, actor, made),
            lambda actor: answering.withdraw_letter(
                session, actor, done, "有误", settings=SETTINGS, now=LATER
            ),
            lambda actor: answering.record_dispatch(session, actor, done, "EMS 1", now=LATER),
            lambda actor: answering.record_collection(session, actor, done, now=LATER),
        ):
            with pytest.raises(NotFound, match="no such archive request"):
                action(stranger)
    assert made.state is RequestState.ACCEPTED and done.collected_at is None
    assert letters.letter_of(session, done).withdrawn_at is None


def test_a_file_number_that_reads_like_a_phone_number_stays_off_the_public_page(
    session, app_context
):
    world = helpers.world(session)
    made = accepted(session, world)
    record(session, world.archivist, made, file_number="1983-0012-001")
    letter = letters.letter_of(session, made)
    assert made.file_number == "1983-0012-001" and made.state is RequestState.ANSWERED
    assert letter.facts["file_number"] == ""


def test_a_letter_saying_not_found_carries_no_copies_the_assisting_archive_sent(
    app, session, app_context
):
    world = helpers.world(session)
    made, assist = passed(session, world)
    later = shanghai(2026, 11, 26)
    assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.FOUND,
                          file_number="婚1983-0042", summary="张某与王某1983年登记。",
                          scans=[scan(app, session)], settings=SETTINGS, now=later)  # fmt: skip
    # The receiving archive judges it another couple's record.
    answering.record_result(session, world.archivist, made, outcome=Outcome.NOT_FOUND,
                            file_number="", summary="查阅了1980至1985年婚姻登记档案。", scans=[],
                            settings=SETTINGS, now=later)  # fmt: skip
    assert documents.scans(session, made) and letters.scans_on_letter(session, made) == []
    assert made.summary == "查阅了1980至1985年婚姻登记档案。"


def test_after_a_withdrawal_a_corrected_letter_is_issued_and_posted_again(session, app_context):
    world = helpers.world(session)
    made = answered(session, world, Delivery.POST)
    first = letters.letter_of(session, made)
    answering.record_dispatch(session, world.archivist, made, "EMS 1234", now=LATER)
    answering.withdraw_letter(session, world.archivist, made, "档号有误", settings=SETTINGS,
                              now=LATER)  # fmt: skip
    record(session, world.archivist, made, file_number="婚1983-0043")
    second = letters.letter_of(session, made)
    assert second.id != first.id and second.withdrawn_at is None
    assert second.facts["file_number"] == "婚1983-0043" and first.withdrawn_at is not None
    assert made.dispatched_at is None and made.state is RequestState.ANSWERED
    # A letter that still counts is not issued again.
    with pytest.raises(Invalid, match="moved on"):
        record(session, world.archivist, made)
