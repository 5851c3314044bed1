"""How the relations, proofs, ways of delivery, states and outcomes of archive queries are
named to people, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.archives.models import Delivery, Outcome, Proof, Relation, RequestState, StepKind

RELATION_LABELS = {
    Relation.SELF: _l("The record is about me"),
    Relation.AGENT: _l("I ask on someone's behalf, with their signed authorisation"),
    Relation.GUARDIAN: _l("I am the guardian of the person it is about"),
    Relation.NEXT_OF_KIN: _l("I am a near relative of the person, who has died"),
}

# Short, for lists and the archivist's page.
RELATION_SHORT = {
    Relation.SELF: _l("Self (own record)"),
    Relation.AGENT: _l("Agent"),
    Relation.GUARDIAN: _l("Guardian"),
    Relation.NEXT_OF_KIN: _l("Relative of a deceased person"),
}

PROOF_LABELS = {
    Proof.REQUESTER_ID: _l("Your own ID card (both sides)"),
    Proof.SUBJECT_ID: _l("The ID card or household register of the person concerned"),
    Proof.AUTHORISATION: _l("Their signed authorisation (委托书)"),
    Proof.GUARDIANSHIP: _l("Proof of guardianship"),
    Proof.DEATH_CERTIFICATE: _l("The death certificate"),
    Proof.KINSHIP: _l("Proof of your relationship (household register or a certificate)"),
    Proof.OTHER: _l("Another document the archive asked for"),
}

DELIVERY_LABELS = {
    Delivery.ONLINE: _l("Online: a letter to view, print or forward"),
    Delivery.PICKUP: _l("On paper, picked up at the archive"),
    Delivery.POST: _l("On paper, by post"),
}

STATE_LABELS = {
    RequestState.SUBMITTED: _l("Sent, waiting for the archive to check it"),
    RequestState.AWAITING_DOCUMENTS: _l("Waiting for more documents from you"),
    RequestState.ACCEPTED: _l("Accepted: the archive is searching"),
    RequestState.ANSWERED: _l("Answered: the result is ready"),
    RequestState.REFUSED: _l("Refused"),
}

OUTCOME_LABELS = {
    Outcome.FOUND: _l("The record was found"),
    Outcome.NOT_FOUND: _l("No such record was found"),
}

STEP_LABELS = {
    StepKind.SENT: _l("Request sent"),
    StepKind.MORE_ASKED: _l("More documents asked for"),
    StepKind.DOCUMENTS_ADDED: _l("Documents added"),
    StepKind.ACCEPTED: _l("Accepted"),
    StepKind.PASSED: _l("Passed to another archive to help find it"),
    StepKind.ASSIST_ANSWERED: _l("The assisting archive answered"),
    StepKind.REFUSED: _l("Refused"),
    StepKind.ANSWERED: _l("Answered, letter issued"),
    StepKind.LETTER_WITHDRAWN: _l("Letter withdrawn"),
    StepKind.DISPATCHED: _l("Posted"),
    StepKind.COLLECTED: _l("Picked up"),
}
