"""Grid points from the portal's built-in sources: what other features tell it happened.

Confirmed volunteer hours (the rule's points are per hour), an appeal closed rated 满意 or
基本满意 (to the account whose proven phone filed it), and a secretary meeting or a legal
service day attended, as its host marked it. Each cause publishes a domain event from its own
service; the handlers here run in that transaction (portal/events.py), so the points are
earned with the cause or not at all.

Each finds its district's rule in force for the source (none: nothing happens) and makes one
award keyed by its cause ("service:17", "help:3", "appeal:42", "booking:9"), within the rule's
limits, credited at once or put into review like a coordinator's award. Its reason is plain
and public-safe (the hours and the activity, or the day of the cause). The cause must not
fail for points: a limit reached, a cause already awarded or a disabled account means no
award, logged; anything else (a bug) raises and undoes the cause with it. A confirmation of
hours undone takes its points back where they are still held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.appeals.events import AppealRated
from portal.appeals.models import Rating
from portal.appeals.services.review import ever_set_aside, phone_proven
from portal.audit import services as audit
from portal.errors import Invalid
from portal.events import handles
from portal.i18n import SHANGHAI
from portal.ledger import services as ledger
from portal.ledger.rules import AlreadyReversed, Insufficient
from portal.meetings.events import MeetingAttended
from portal.meetings.models import MeetingKind
from portal.permissions import SYSTEM
from portal.places.models import Place, PlaceKind
from portal.points import accounts, awards
from portal.points.earning_rules import rule_in_force
from portal.points.models import REASON_MAX, AwardState, PointsAward, PointsRule, PointsSource
from portal.volunteering.events import HoursConfirmed, HoursUnconfirmed
from portal.volunteering.timebank import hours_figure

log = logging.getLogger(__name__)

# The ratings that earn: 满意 and 基本满意.
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
MEETING_SOURCES = {
    MeetingKind.SECRETARY: PointsSource.MEETING_ATTENDED,
    MeetingKind.LEGAL: PointsSource.LEGAL_DAY_ATTENDED,
}


def _community_of(place: Place) -> Place | None:
    """The community `place` is or lies in."""
    for each in [place, *reversed(place.ancestors)]:
        if each.kind is PlaceKind.COMMUNITY:
            return each
    return None


def _local_day(moment: datetime) -> str:
    """The Shanghai day of `moment`, as an award's reason names a cause on the public notice:
    never a tracking number or a booking's reference, which, beside a masked phone's last
    digits, would open the resident's own page to anyone."""
    return moment.astimezone(SHANGHAI).date().isoformat()


def _already(session: Session, key: str) -> bool:
    return session.scalar(select(PointsAward.id).where(PointsAward.source_key == key)) is not None


def _earn(
    session: Session,
    source: PointsSource,
    *,
    community: Place | None,
    earner: User | str,
    key: str,
    reason: str,
    now: datetime,
    grid: Place | None = None,
    points_of: Callable[[PointsRule], int] = lambda rule: rule.points,
    refusal: Callable[[], str | None] = lambda: None,
) -> PointsAward | None:
    """The award `source` earns for the cause `key`: to `earner` (an account, or the phone of
    one, made if there is none), in `community` (and `grid`, when known). None, logged, when it
    earns nothing; `refusal` says why the cause itself earns nothing, asked only once a rule is
    in force (most districts have none for most sources)."""
    if community is None:
        log.info("points: %s for %s lies in no community; no award", source, key)
        return None
    rule = rule_in_force(session, accounts.district_of(community), source)
    if rule is None:
        return None
    points = points_of(rule)
    if points <= 0:
        return None
    refused = refusal()
    if refused is not None:
        log.info("points: no award for %s: %s", key, refused)
        return None
    if _already(session, key):
        log.info("points: %s was awarded already; no second award", key)
        return None
    try:
        user = earner if isinstance(earner, User) else awards.resident(session, earner, now)
        awards.lock_user(session, user)
        awards.check_limits(session, rule, user, now)
    except Invalid as withheld:
        # A limit reached, or the earner's account disabled: the cause stands, without points.
        log.info("points: no award for %s: %s", key, withheld.message)
        return None
    # One without review passes through NOTICE (with no notice days) to be credited below.
    award = PointsAward(
        rule=rule, community=community, grid=grid, user=user, points=points, source_key=key,
        reason=reason[:REASON_MAX], proposed_by_id=None, created_at=now,
        state=AwardState.REVIEWING if rule.needs_review else AwardState.NOTICE,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError:
        # The same cause awarded a moment ago in another transaction: the unique key guards.
        if not _already(session, key):
            raise
        log.info("points: %s was awarded at the same moment; no second award", key)
        return None
    audit.record(
        session, "points.award", actor=SYSTEM, now=now, target=award,
        details={"rule": rule.id, "points": points, "user": user.id, "source": source.value,
                 "cause": key},
    )  # fmt: skip
    if not rule.needs_review:
        awards.credit(session, SYSTEM, award, now=now)
    return award


@handles(HoursConfirmed)
def hours_confirmed(session: Session, event: HoursConfirmed) -> None:
    """Confirmed volunteer hours earn the rule's points for each hour (whole points, rounded
    down: 90 minutes at 10 an hour earn 15)."""
    _earn(
        session, PointsSource.VOLUNTEER_HOURS, community=event.community,
        earner=event.volunteer, key=event.record, now=event.now,
        reason=f"{hours_figure(event.minutes)} h · {event.about}",
        points_of=lambda rule: event.minutes * rule.points // 60,
    )  # fmt: skip


@handles(AppealRated)
def appeal_rated(session: Session, event: AppealRated) -> None:
    """An appeal rated 满意 or 基本满意 earns, once, for the account of the phone that filed it
    and proved it; never one set aside as spam or merged, nor one filed for the resident on
    their word alone."""
    appeal = event.appeal
    if event.rating not in SATISFIED:
        return

    def refusal() -> str | None:
        if not phone_proven(session, appeal):
            return "its phone was never proven"
        if ever_set_aside(session, appeal):
            return "it was set aside as spam or merged"
        return None

    grid = appeal.building.grid
    _earn(
        session, PointsSource.APPEAL_RATED, community=_community_of(grid), grid=grid,
        earner=appeal.phone, key=f"appeal:{appeal.id}", reason=_local_day(appeal.received_at),
        now=event.now,
        refusal=refusal,
    )  # fmt: skip


@handles(MeetingAttended)
def meeting_attended(session: Session, event: MeetingAttended) -> None:
    """A secretary meeting or a legal service day the host marked held earns for the
    resident who came (their account, or the one of the phone they booked with)."""
    booking = event.booking
    user = session.get(User, booking.user_id) if booking.user_id is not None else None
    _earn(
        session, MEETING_SOURCES[booking.kind], community=_community_of(booking.place),
        earner=user or booking.phone, key=f"booking:{booking.id}", reason=booking.day.isoformat(),
        now=event.now,
    )  # fmt: skip


@handles(HoursUnconfirmed)
def hours_unconfirmed(session: Session, event: HoursUnconfirmed) -> None:
    """A wrong confirmation undone takes back what its hours earned: points credited are
    reversed, an award still in review or on notice is refused, and the cause is freed so that
    the hours confirmed again earn what they are then. Points already spent stay spent (the
    hours' correction is not held up for them): logged, and the award keeps its cause."""
    award = session.scalar(
        select(PointsAward)
        .where(PointsAward.source_key == event.record)
        .with_for_update(of=PointsAward)
        .execution_options(populate_existing=True)
    )
    if award is None or award.state is AwardState.REJECTED:
        return
    if award.state is AwardState.CREDITED:
        paid = ledger.transfer_about(session, accounts.AWARDED, accounts.award_subject(award.id))
        try:
            with session.begin_nested():
                ledger.reverse(session, SYSTEM, paid, reason=event.reason, now=event.now)
        except AlreadyReversed:
            pass  # undone on the ledger by hand already: the award is refused below
        except Insufficient:
            log.warning("points: award %s of %s is spent already; kept", award.id, event.record)
            return
    award.state, award.rejection = AwardState.REJECTED, event.reason[:REASON_MAX]
    award.reviewed_at = event.now
    # Freed for the confirmation to come; the unique key still holds this one apart.
    award.source_key = f"{event.record}:undone:{award.id}"[:60]
    session.flush()
    audit.record(
        session, "points.award_undone", actor=SYSTEM, now=event.now, target=award,
        details={"cause": event.record, "reason": event.reason},
    )  # fmt: skip
