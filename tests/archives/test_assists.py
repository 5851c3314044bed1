"""Another archive asked to help (协办), without HTTP and with time passed in: its own deadline
and the receiving archive's moved after it (across the National Day holiday too), its
archivists texted, its answer once with the scanned copies, and what it may and may not do."""

from __future__ import annotations

from datetime import datetime

import pytest

from portal.archives import access, answering, assists, documents, identity, review, steps
from portal.archives.models import Outcome, RequestState, StepKind
from portal.errors import Forbidden, Invalid, NotFound
from portal.uploads.web import store
from tests import factories
from tests.archives import helpers
from tests.archives.helpers import SETTINGS, TUESDAY_10AM
from tests.archives.test_review import end_of, shanghai


def accepted(session, world, now: datetime = TUESDAY_10AM):
    made = helpers.request(session, world, now=now)
    review.accept(session, world.archivist, made, settings=SETTINGS, now=now)
    return made


def passed(session, world, now: datetime = TUESDAY_10AM, archive=None):
    made = accepted(session, world, now)
    assist = assists.pass_to(session, world.archivist, made, archive or world.street_archive,
                             "1983年婚姻登记档案，男方李父", settings=SETTINGS, now=now)  # fmt: skip
    return made, assist


def scan(app, session):
    return factories.upload(session, store(app), purpose=documents.SCAN_PURPOSE)


def test_the_receiving_archive_has_two_working_days_from_the_assists_answer(session, app_context):
    world = helpers.world(session)
    made, assist = passed(session, world)
    # The street archive answers early, on Wednesday 25 November: Thursday and Friday.
    assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.NOT_FOUND,
                          file_number="", summary="", scans=[], settings=SETTINGS,
                          now=shanghai(2026, 11, 25))  # fmt: skip
    assert made.due_at == end_of(2026, 11, 27)


def test_passing_on_gives_the_assist_four_working_days_and_the_receiving_archive_two_more(
    session, app_context, sms
):
    world = helpers.world(session)
    made, assist = passed(session, world)
    assert assist.archive_id == world.street_archive.id and assist.asked_by_id == world.archivist.id
    # Asked on Tuesday 24 November: Wednesday, Thursday, Friday, Monday.
    assert assist.due_at == end_of(2026, 11, 30)
    # Its own deadline was Friday; now two working days after the assist's: Wednesday.
    assert made.due_at == end_of(2026, 12, 2)
    assert made.state is RequestState.ACCEPTED
    step = steps.history(session, made)[-1]
    assert step.kind is StepKind.PASSED and step.archive_id == world.street_archive.id
    assert step.note == "1983年婚姻登记档案，男方李父"
    text = sms.recent(world.street_archivist.phone)[0]
    assert text.kind == "archives_assist" and made.reference in text.body
    # Nobody else is texted: not the resident, not the receiving archive.
    assert sms.recent(world.resident.phone) == [] and sms.recent(world.second.phone) == []
    # The assisting archive's archivist reads the request now; another still does not.
    assert access.request_for(session, world.street_archivist, made.reference, now=TUESDAY_10AM)
    with pytest.raises(NotFound):
        access.request_for(session, world.elsewhere, made.reference, now=TUESDAY_10AM)


def test_the_assist_clock_skips_the_national_day_holiday(session, app_context):
    world = helpers.world(session)
    made, assist = passed(session, world, now=shanghai(2026, 9, 30))
    # 1–7 October off; Thursday 8, Friday 9, Saturday 10 (made up), Monday 12 October.
    assert assist.due_at == end_of(2026, 10, 12)
    # The receiving archive's own deadline (Saturday 10 October) moves to Wednesday 14.
    assert made.due_at == end_of(2026, 10, 14)


def test_a_request_is_passed_once_at_a_time_to_another_open_archive(session, app_context):
    world = helpers.world(session)
    made = helpers.request(session, world)
    with pytest.raises(Invalid, match="moved on"):
        assists.pass_to(session, world.archivist, made, world.street_archive, "请查找",
                        settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    review.accept(session, world.archivist, made, settings=SETTINGS, now=TUESDAY_10AM)
    world.elsewhere_archive.retired_at = TUESDAY_10AM
    for archive, field, message in (
        (None, "archive", "Choose the archive"),
        (world.archive, "archive", "another archive than your own"),
        (world.elsewhere_archive, "archive", "That archive is closed"),
        (world.street_archive, "note", "what they should look for"),
    ):
        note = "" if field == "note" else "请查找"
        with pytest.raises(Invalid, match=message) as refused:
            assists.pass_to(session, world.archivist, made, archive, note, settings=SETTINGS,
                            now=TUESDAY_10AM)  # fmt: skip
        assert refused.value.details["field"] == field
    assert assists.open_assist(session, made) is None
    assists.pass_to(session, world.archivist, made, world.street_archive, "请查找",
                    settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    world.elsewhere_archive.retired_at = None
    with pytest.raises(Invalid, match="already helping"):
        assists.pass_to(session, world.archivist, made, world.elsewhere_archive, "请查找",
                        settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip


def test_the_assisting_archive_answers_once_with_the_scanned_copies(app, session, app_context):
    world = helpers.world(session)
    made, assist = passed(session, world)
    pages = [scan(app, session), scan(app, session)]
    later = shanghai(2026, 11, 26)
    assists.answer_assist(
        session, world.street_archivist, assist, outcome=Outcome.FOUND,
        file_number=" 婚1983-0042 ", summary="1983年5月登记结婚。", scans=pages,
        settings=SETTINGS, now=later,
    )  # fmt: skip
    assert assist.answered_at == later and assist.answered_by_id == world.street_archivist.id
    assert assist.handler_id == world.street_archivist.id
    assert (assist.outcome, assist.file_number, assist.summary) == (
        Outcome.FOUND, "婚1983-0042", "1983年5月登记结婚。",
    )  # fmt: skip
    # The scans are the request's now, for the letter.
    assert [upload.name for upload in documents.scans(session, made)] == [p.name for p in pages]
    step = steps.history(session, made)[-1]
    assert step.kind is StepKind.ASSIST_ANSWERED and step.archive_id == world.street_archive.id
    assert assists.open_assist(session, made) is None
    assert assists.last_answer(session, made) == assist
    with pytest.raises(Invalid, match="moved on"):
        assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.NOT_FOUND,
                              file_number="", summary="", scans=[], settings=SETTINGS,
                              now=later)  # fmt: skip
    assert assist.outcome is Outcome.FOUND
    # Once it has answered, its search is over: nobody there sees the numbers whole any more.
    assert not identity.may_reveal(session, world.street_archivist, made)


def test_a_record_found_needs_its_file_number_and_summary_and_scans_go_with_it(
    app, session, app_context
):
    world = helpers.world(session)
    made, assist = passed(session, world)

    def answer(outcome, file_number="", summary="", scans=()):
        assists.answer_assist(session, world.street_archivist, assist, outcome=outcome,
                              file_number=file_number, summary=summary, scans=list(scans),
                              settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip

    with pytest.raises(Invalid) as refused:
        answer(Outcome.FOUND)
    assert {each.details["field"] for each in refused.value.problems} == {"file_number", "summary"}
    with pytest.raises(Invalid, match="Say whether the record was found"):
        answer("maybe", "婚1983-0042", "有")
    with pytest.raises(Invalid, match="within 60 characters"):
        answer(Outcome.FOUND, "号" * 61, "有")
    with pytest.raises(Invalid, match="only of a record found"):
        answer(Outcome.NOT_FOUND, scans=[scan(app, session)])
    assert assist.answered_at is None and documents.scans(session, made) == []
    # Not found: a file number typed by mistake is not kept; where they looked is.
    answer(Outcome.NOT_FOUND, "婚1983-0042", "查阅1980—1985年婚姻登记簿，未见记录。")
    assert assist.file_number == "" and assist.summary.startswith("查阅")


def test_after_not_found_the_request_may_be_passed_to_another_archive(session, app_context):
    world = helpers.world(session)
    made, assist = passed(session, world)
    assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.NOT_FOUND,
                          file_number="", summary="", scans=[], settings=SETTINGS,
                          now=TUESDAY_10AM)  # fmt: skip
    second = assists.pass_to(session, world.archivist, made, world.elsewhere_archive, "请再查",
                             settings=SETTINGS, now=TUESDAY_10AM)  # fmt: skip
    assert assists.open_assist(session, made) == second
    assert [each.archive_id for each in assists.assists_of(session, made)] == [
        world.street_archive.id, world.elsewhere_archive.id,
    ]  # fmt: skip


def test_the_assisting_archive_reads_but_neither_reviews_nor_answers_the_resident(
    app, session, app_context
):
    world = helpers.world(session)
    made, assist = passed(session, world)
    helper = world.street_archivist
    for action in (
        lambda: review.accept(session, helper, made, settings=SETTINGS, now=TUESDAY_10AM),
        lambda: review.ask_for_more(session, helper, made, "请补充", settings=SETTINGS,
                                    now=TUESDAY_10AM),
        lambda: review.refuse(session, helper, made, "不予受理", settings=SETTINGS,
                              now=TUESDAY_10AM),
        lambda: assists.pass_to(session, helper, made, world.elsewhere_archive, "请查",
                                settings=SETTINGS, now=TUESDAY_10AM),
        lambda: answering.record_result(session, helper, made, outcome=Outcome.NOT_FOUND,
                                        file_number="", summary="", scans=[], settings=SETTINGS,
                                        now=TUESDAY_10AM),
        lambda: answering.withdraw_letter(session, helper, made, "有误", settings=SETTINGS, now=TUESDAY_10AM),
        lambda: answering.record_collection(session, helper, made, now=TUESDAY_10AM),
    ):  # fmt: skip
        with pytest.raises(Forbidden, match="Only the archive the request was sent to"):
            action()
    # The receiving archive does not answer for the archive it asked; a stranger finds nothing.
    with pytest.raises(Forbidden, match="Only the archive asked to help"):
        assists.answer_assist(session, world.second, assist, outcome=Outcome.NOT_FOUND,
                              file_number="", summary="", scans=[], settings=SETTINGS,
                              now=TUESDAY_10AM)  # fmt: skip
    with pytest.raises(NotFound):
        assists.answer_assist(session, world.elsewhere, assist, outcome=Outcome.NOT_FOUND,
                              file_number="", summary="", scans=[], settings=SETTINGS,
                              now=TUESDAY_10AM)  # fmt: skip
    with pytest.raises(Forbidden):
        assists.assist_to_answer(session, world.second, made)
    assert assists.assist_to_answer(session, helper, made) == assist
    assert made.state is RequestState.ACCEPTED and assist.answered_at is None


def test_a_request_refused_meanwhile_is_no_longer_answered_by_the_assisting_archive(
    session, app_context
):
    world = helpers.world(session)
    made, assist = passed(session, world)
    review.refuse(session, world.archivist, made, "申请人撤回", settings=SETTINGS,
                  now=TUESDAY_10AM)  # fmt: skip
    with pytest.raises(Invalid, match="moved on"):
        assists.answer_assist(session, world.street_archivist, assist, outcome=Outcome.NOT_FOUND,
                              file_number="", summary="", scans=[], settings=SETTINGS,
                              now=TUESDAY_10AM)  # fmt: skip
