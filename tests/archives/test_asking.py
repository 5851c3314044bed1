"""Asking an archive, with time passed in: a relative of a deceased person asks for their
parents' marriage record; every bad input is refused on its own field with nothing kept (a
wrong check digit, a birth date in the future, someone else's marriage record without their
authorisation, a relation the kind does not allow, an archive that does not keep it, no
consent, no postal address); a second tap gives the same request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.archives import asking, documents, identity, steps
from portal.archives.models import (
    ArchiveRequest,
    Delivery,
    Proof,
    Relation,
    RequestState,
    RequestStep,
    StepKind,
)
from portal.errors import Invalid, NotFound
from portal.uploads.models import Upload
from portal.uploads.web import STORE
from tests import factories
from tests.archives import helpers
from tests.archives.helpers import SEAL_KEY, SETTINGS, TUESDAY_10AM

NEXT_OF_KIN_PROOFS = (Proof.REQUESTER_ID, Proof.DEATH_CERTIFICATE, Proof.KINSHIP)
AGENT_PROOFS = (Proof.REQUESTER_ID, Proof.SUBJECT_ID, Proof.AUTHORISATION)


@pytest.fixture
def world(session, app_context):
    return helpers.world(session)


def files(session, app, proofs) -> list[Upload]:
    """One unattached file sent for each of `proofs`, as the form keeps them."""
    store = app.extensions[STORE]
    return [
        factories.upload(session, store, purpose=documents.proof_purpose(proof), owner=None)
        for proof in proofs
    ]


def application(session, app, world, **fields) -> asking.Application:
    values = {
        "kind_id": helpers.kind(session, "marriage").id,
        "archive_id": world.archive.id,
        "relation": Relation.NEXT_OF_KIN,
        "requester_name": "李居民",
        "requester_id_number": factories.id_number(date(1985, 3, 1)),
        "subject_name": "李父",
        "subject_id_number": factories.id_number(date(1950, 6, 1)),
        "purpose": "办理房产继承",
        "delivery": Delivery.ONLINE,
        "consented": True,
    } | fields
    if "documents" not in values:
        values["documents"] = files(session, app, NEXT_OF_KIN_PROOFS)
    return asking.Application(**values)


def send(session, world, made: asking.Application, now: datetime = TUESDAY_10AM):
    return asking.send(session, world.resident, made, settings=SETTINGS, seal_key=SEAL_KEY,
                       locale="zh_Hans_CN", now=now)  # fmt: skip


def refused(session, world, made: asking.Application) -> dict[str, str]:
    """Each field refused, with its message; and nothing was kept."""
    with pytest.raises(Invalid) as error:
        send(session, world, made)
    assert session.scalar(select(func.count()).select_from(ArchiveRequest)) == 0
    assert session.scalar(select(func.count()).select_from(RequestStep)) == 0
    assert all(upload.owner is None for upload in made.documents)
    return {problem.details.get("field"): problem.message for problem in error.value.problems}


def test_a_relative_asks_for_their_late_parents_marriage_record(session, app, world):
    requester_id = factories.id_number(date(1985, 3, 1))
    subject_id = factories.id_number(date(1950, 6, 1))
    sent = application(session, app, world, requester_id_number=f" {requester_id[:6]} "
                       f"{requester_id[6:14]} {requester_id[14:]} ", subject_id_number=subject_id)  # fmt: skip
    made = send(session, world, sent)
    assert made.state is RequestState.SUBMITTED and made.reference.startswith("D")
    assert made.archive == world.archive and made.kind.code == "marriage"
    assert made.relation is Relation.NEXT_OF_KIN and made.subject_name == "李父"
    assert made.consented_at == TUESDAY_10AM and made.locale == "zh_Hans_CN"
    # Sent on Tuesday: checked by the end of Wednesday, Shanghai time.
    assert made.due_at == datetime(2026, 11, 25, 15, 59, 59, 999999, tzinfo=UTC)
    # The numbers are kept masked and sealed; only the handling archivist opens them.
    assert made.requester_id_masked == requester_id[:4] + "*" * 10 + requester_id[-4:]
    assert requester_id not in made.requester_id_sealed
    numbers = identity.reveal(session, world.archivist, made, now=TUESDAY_10AM, key=SEAL_KEY)
    assert (numbers.requester, numbers.subject) == (requester_id, subject_id)
    kept = documents.by_proof(documents.documents(session, made))
    assert set(kept) == set(NEXT_OF_KIN_PROOFS)
    assert [step.kind for step in steps.history(session, made)] == [StepKind.SENT]


def test_asking_about_oneself_keeps_no_other_person(session, app, world):
    made = send(session, world, application(
        session, app, world, relation="self", subject_name="别人", subject_id_number="123",
        documents=files(session, app, [Proof.REQUESTER_ID]), delivery="post",
        postal_address="李居民 13800000000\r\n测试路1号",
    ))  # fmt: skip
    assert made.relation is Relation.SELF
    assert (made.subject_name, made.subject_id_masked, made.subject_id_sealed) == ("", "", "")
    assert made.delivery is Delivery.POST and made.postal_address == "李居民 13800000000\n测试路1号"


def wrong_check_digit() -> str:
    number = factories.id_number(date(1985, 3, 1))
    return number[:-1] + ("1" if number[-1] != "1" else "2")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"requester_id_number": "wrong"}, "requester_id_number", "not right: check each digit"),
        ({"subject_id_number": "born-2030"}, "subject_id_number", "is after today"),
        ({"subject_id_number": ""}, "subject_id_number", "ID card number of the person"),
        ({"requester_name": " "}, "requester_name", "Enter your full name"),
        ({"subject_name": "李" * 51}, "subject_name", "within 50 characters"),
        ({"purpose": "继"}, "purpose", "what you need the record for"),
        ({"consented": False}, "consent", "Tick the box"),
        ({"delivery": "post", "postal_address": " "}, "postal_address", "where to post it"),
        ({"delivery": "by pigeon"}, "delivery", "how you would like to receive"),
        ({"relation": "guardian"}, "relation", "cannot be asked for by someone in your position"),
        ({"relation": "cousin"}, "relation", "cannot be asked for by someone in your position"),
        ({"archive_id": None}, "archive", "Choose the archive"),
    ],
)
def test_each_bad_answer_is_refused_on_its_field_and_nothing_is_kept(
    session, app, world, fields, field, message
):
    if fields.get("requester_id_number") == "wrong":
        fields["requester_id_number"] = wrong_check_digit()
    if fields.get("subject_id_number") == "born-2030":
        fields["subject_id_number"] = factories.id_number(date(2030, 1, 1))
    problems = refused(session, world, application(session, app, world, **fields))
    assert list(problems) == [field] and message in problems[field]


def test_someone_elses_marriage_record_is_refused_without_their_authorisation(session, app, world):
    made = application(session, app, world, relation=Relation.AGENT,
                       documents=files(session, app, [Proof.REQUESTER_ID, Proof.SUBJECT_ID]))  # fmt: skip
    problems = refused(session, world, made)
    assert list(problems) == ["documents_authorisation"]
    assert "signed authorisation (委托书)" in problems["documents_authorisation"]


def test_an_archive_that_does_not_keep_the_kind_is_refused(session, app, world):
    # The street archive keeps marriage records, not school ones.
    made = application(session, app, world, kind_id=helpers.kind(session, "schooling").id,
                       archive_id=world.street_archive.id)  # fmt: skip
    assert refused(session, world, made) == {
        "archive": "This archive does not keep this kind of record."
    }


def test_a_kind_no_longer_offered_and_a_retired_archive_are_refused(session, app, world):
    helpers.kind(session, "marriage").is_active = False
    world.archive.retired_at = TUESDAY_10AM
    problems = refused(session, world, application(session, app, world))
    assert set(problems) == {"kind", "archive"}


def test_every_mistake_is_named_at_once(session, app, world):
    made = application(session, app, world, requester_id_number=wrong_check_digit(),
                       subject_id_number="", purpose="", consented=False, documents=[])  # fmt: skip
    assert set(refused(session, world, made)) == {
        "requester_id_number", "subject_id_number", "purpose", "consent",
        "documents_requester_id", "documents_death_certificate", "documents_kinship",
    }  # fmt: skip


def test_the_persons_number_cannot_be_the_requesters_own(session, app, world):
    number = factories.id_number(date(1985, 3, 1))
    made = application(session, app, world, requester_id_number=number, subject_id_number=number)
    assert "your own number" in refused(session, world, made)["subject_id_number"]


def test_files_sent_for_another_proof_or_past_three_are_not_kept(session, app, world):
    sent = files(session, app, [*NEXT_OF_KIN_PROOFS, Proof.KINSHIP, Proof.KINSHIP, Proof.KINSHIP,
                                Proof.GUARDIANSHIP])  # fmt: skip
    made = send(session, world, application(session, app, world, documents=sent))
    kept = documents.by_proof(documents.documents(session, made))
    assert len(kept[Proof.KINSHIP]) == documents.MOST_PER_PROOF
    assert Proof.GUARDIANSHIP not in kept
    assert sent[-1].owner is None and sent[-2].owner is None


def test_a_second_tap_gives_the_same_request_and_another_person_a_new_one(session, app, world):
    same = {"requester_id_number": factories.id_number(date(1985, 3, 1)),
            "subject_id_number": factories.id_number(date(1950, 6, 1))}  # fmt: skip
    first = send(session, world, application(session, app, world, **same))
    again = send(session, world, application(session, app, world, **same),
                 now=TUESDAY_10AM + timedelta(minutes=9))  # fmt: skip
    assert again is first
    mother = send(session, world, application(session, app, world, **same, subject_name="李母"),
                  now=TUESDAY_10AM + timedelta(minutes=9))  # fmt: skip
    later = send(session, world, application(session, app, world, **same),
                 now=TUESDAY_10AM + timedelta(minutes=11))  # fmt: skip
    assert len({first.id, mother.id, later.id}) == 3
    assert session.scalar(select(func.count()).select_from(ArchiveRequest)) == 3


def test_the_same_record_asked_of_another_archive_or_by_post_is_another_request(
    session, app, world
):
    same = {"requester_id_number": factories.id_number(date(1985, 3, 1)),
            "subject_id_number": factories.id_number(date(1950, 6, 1))}  # fmt: skip
    first = send(session, world, application(session, app, world, **same))
    soon = TUESDAY_10AM + timedelta(minutes=5)
    street = send(session, world, application(session, app, world, **same,
                                              archive_id=world.street_archive.id), now=soon)  # fmt: skip
    posted = send(session, world, application(session, app, world, **same, delivery=Delivery.POST,
                                              postal_address="李居民 13800000000 测试路1号"),
                  now=soon)  # fmt: skip
    assert len({first.id, street.id, posted.id}) == 3
    assert (street.archive_id, posted.delivery) == (world.street_archive.id, Delivery.POST)
    assert documents.documents(session, street) and documents.documents(session, posted)


def test_files_another_request_took_first_leave_this_one_unsent(session, app, world):
    sent = files(session, app, NEXT_OF_KIN_PROOFS)
    sent[1].owner = "archive_requests:999999"
    session.flush()
    with pytest.raises(Invalid) as error:
        send(session, world, application(session, app, world, documents=sent))
    assert error.value.details["field"] == "documents_death_certificate"


def test_only_a_signed_in_resident_asks(session, app, world):
    from flask_login import AnonymousUserMixin

    with pytest.raises(NotFound):
        asking.send(session, AnonymousUserMixin(), application(session, app, world),
                    settings=SETTINGS, seal_key=SEAL_KEY, locale="en", now=TUESDAY_10AM)  # fmt: skip


@pytest.fixture
def fresh(fresh_app):
    return fresh_app(migrate=True)


def test_two_taps_at_once_send_one_request(fresh):
    from portal.accounts.models import User
    from portal.db import db
    from tests.accounts.test_concurrency import outcomes, together

    with fresh.test_request_context():
        world = helpers.world(db.session)
        sent = [application(db.session, fresh, world) for _tap in range(2)]
        for each in sent[1:]:
            each.requester_id_number = sent[0].requester_id_number
            each.subject_id_number = sent[0].subject_id_number
        resident_id = world.resident.id
        db.session.commit()

    def tap(index: int) -> None:
        resident = db.session.get(User, resident_id)
        made = sent[index]
        made.documents = [db.session.merge(upload) for upload in made.documents]
        asking.send(db.session, resident, made, settings=SETTINGS, seal_key=SEAL_KEY,
                    locale="zh_Hans_CN", now=TUESDAY_10AM)  # fmt: skip

    assert outcomes(together(fresh, 2, tap)) == {"ok": 2}
    with fresh.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArchiveRequest)) == 1
        assert db.session.scalar(select(func.count()).select_from(RequestStep)) == 1
