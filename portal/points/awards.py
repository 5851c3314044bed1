"""Awards of grid points (积分奖励) for a listed deed, by a community's coordinators.

A coordinator awards a rule of their district to a resident found by mobile number, with a
reason. The rule's limits per person per day, month and year (Shanghai's calendar) are
counted under a lock on the resident's account row, so that two coordinators awarding at once
cannot pass one. A rule without review is credited at once; one with review waits for another
coordinator, who approves it onto the public notice (公示, notice.py) or rejects it with a
reason. Crediting is one ledger transfer from the district's issuing account, posted once per
award, and an SMS to the resident.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.i18n import CHINESE, SHANGHAI
from portal.ledger import services as ledger
from portal.ledger.models import LedgerTransfer, Unit
from portal.notifications.services import queue_sms
from portal.numbers import parse_id
from portal.permissions import Actor, Permission, require, scopes
from portal.phones import normalize_phone
from portal.places.models import Place, PlaceKind
from portal.points import accounts, tallies
from portal.points.models import (
    COUNTED,
    REASON_MAX,
    AwardState,
    PointsAward,
    PointsRule,
    PointsSource,
)
from portal.web.templating import local_text

CREDITED_SMS = "points_credited"


def clean_reason(reason: Any, field: str = "reason") -> str:
    """A reason as kept: one line, required, within 200 characters."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise Invalid(_l("Say why, in a few words."), field=field)
    if len(text) > REASON_MAX:
        raise Invalid(_l("Keep it within 200 characters."), field=field)
    return text


def resident(session: Session, phone: Any, now: datetime) -> User:
    """The account of `phone`, made if the resident has none yet (they sign in by SMS code)."""
    number = normalize_phone(phone if isinstance(phone, str) else None)
    if number is None:
        raise Invalid(_l("Give a mainland mobile number of 11 digits."), field="phone")
    user = session.scalar(select(User).where(User.phone == number))
    if user is None:
        made = User(phone=number, created_at=now)
        try:
            with session.begin_nested():
                session.add(made)
                session.flush()
            user = made
        except IntegrityError:
            # Made a moment ago by another coordinator awarding the same resident.
            user = session.scalars(select(User).where(User.phone == number)).one()
    if not user.is_active:
        raise Invalid(_l("The account of this number is disabled."), field="phone")
    return user


def _offered_rule(session: Session, rule_id: Any, community: Place) -> PointsRule:
    try:
        rule = session.get(PointsRule, parse_id(rule_id))
    except ValueError:
        rule = None
    if (
        rule is None
        or rule.retired_at is not None
        # A built-in source's rule is applied by the portal when its cause happens, never by hand.
        or rule.source is not PointsSource.DEED
        or rule.district_id != accounts.district_of(community).id
    ):
        raise Invalid(_l("Choose a deed from the list."), field="rule")
    return rule


def deed_name(rule: PointsRule) -> str:
    """A rule's deed in the reader's language."""
    return local_text(rule.name_zh, rule.name_en)


def _period_starts(now: datetime) -> tuple[datetime, datetime, datetime]:
    """The start of `now`'s day, month and year in Shanghai."""
    local = now.astimezone(SHANGHAI)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day.replace(day=1), day.replace(month=1, day=1)


def _limit_message(period: str, deed: str, count: int) -> Any:
    if period == "day":
        return _l("%(deed)s is awarded at most %(count)d times a day to one person: this "
                  "resident has had them all today.", deed=deed, count=count)  # fmt: skip
    if period == "month":
        return _l("%(deed)s is awarded at most %(count)d times a month to one person: this "
                  "resident has had them all this month.", deed=deed, count=count)  # fmt: skip
    return _l("%(deed)s is awarded at most %(count)d times a year to one person: this "
              "resident has had them all this year.", deed=deed, count=count)  # fmt: skip


def check_limits(session: Session, rule: PointsRule, user: User, now: datetime) -> None:
    """Refuse an award past one of the rule's limits (read under the resident's row lock)."""
    day, month, year = _period_starts(now)
    limits = [("day", rule.per_day, day), ("month", rule.per_month, month),
              ("year", rule.per_year, year)]  # fmt: skip
    for period, limit, since in limits:
        if limit is None:
            continue
        given = session.scalar(
            select(func.count())
            .select_from(PointsAward)
            .where(
                PointsAward.user_id == user.id,
                PointsAward.rule_id == rule.id,
                PointsAward.state.in_(COUNTED),
                PointsAward.created_at >= since,
            )
        )
        if given >= limit:
            raise Invalid(_limit_message(period, deed_name(rule), limit), field="rule")


def lock_user(session: Session, user: User | Actor) -> None:
    """Hold the resident's row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    writing transaction holds the database already), so limits (a rule's, a reward's per
    person) are counted one at a time."""
    session.execute(select(User.id).where(User.id == user.id).with_for_update())


def award_points(
    session: Session,
    actor: Actor,
    community: Place | None,
    *,
    rule_id: Any,
    phone: Any,
    reason: Any,
    now: datetime,
) -> PointsAward:
    """Award a listed deed to the resident of `phone` in `community`: credited at once, or
    put in the community's review queue when the rule needs review."""
    if community is None or community.kind is not PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose a community."), field="community")
    require(actor, Permission.AWARD_POINTS, community)
    rule = _offered_rule(session, rule_id, community)
    user = resident(session, phone, now)
    reason = clean_reason(reason)
    lock_user(session, user)
    check_limits(session, rule, user, now)
    # One without review passes through NOTICE (with no notice days) to be credited just below.
    award = PointsAward(
        rule_id=rule.id, community_id=community.id, user_id=user.id, points=rule.points,
        reason=reason, proposed_by_id=actor.id, created_at=now,
        state=AwardState.REVIEWING if rule.needs_review else AwardState.NOTICE,
    )  # fmt: skip
    session.add(award)
    session.flush()
    audit.record(
        session, "points.award", actor=actor, now=now, target=award,
        details={"rule": rule.id, "points": rule.points, "user": user.id, "reason": reason},
    )  # fmt: skip
    if not rule.needs_review:
        credit(session, actor, award, now=now)
    return award


def locked_award(session: Session, award_id: Any) -> PointsAward:
    """The award, its row locked and read afresh."""
    try:
        number = parse_id(award_id)
    except ValueError:
        raise NotFound(_l("There is no such award.")) from None
    award = session.scalar(
        select(PointsAward)
        .where(PointsAward.id == number)
        .with_for_update(of=PointsAward)
        .execution_options(populate_existing=True)
    )
    if award is None:
        raise NotFound(_l("There is no such award."))
    return award


def _reviewable(session: Session, actor: Actor, award_id: Any) -> PointsAward:
    award = locked_award(session, award_id)
    require(actor, Permission.AWARD_POINTS, award.community)
    if award.state is not AwardState.REVIEWING:
        raise Invalid(_l("This award has been reviewed already."))
    if award.proposed_by_id is not None and award.proposed_by_id == actor.id:
        raise Forbidden(_l("Another coordinator reviews an award you proposed."))
    return award


def approve_award(
    session: Session, actor: Actor, award_id: Any, *, notice_days: int, now: datetime
) -> PointsAward:
    """Approve an award needing review: it stands on the public notice for `notice_days`."""
    award = _reviewable(session, actor, award_id)
    award.state = AwardState.NOTICE
    award.reviewed_by_id, award.reviewed_at = actor.id, now
    award.notice_ends_at = now + timedelta(days=notice_days)
    session.flush()
    audit.record(
        session, "points.approve_award", actor=actor, now=now, target=award,
        details={"notice_ends_at": award.notice_ends_at.isoformat()},
    )  # fmt: skip
    return award


def reject_award(
    session: Session, actor: Actor, award_id: Any, *, reason: Any, now: datetime
) -> PointsAward:
    """Refuse an award needing review, with a reason; it is kept."""
    award = _reviewable(session, actor, award_id)
    reason = clean_reason(reason)
    award.state = AwardState.REJECTED
    award.reviewed_by_id, award.reviewed_at = actor.id, now
    award.rejection = reason
    session.flush()
    audit.record(
        session, "points.reject_award", actor=actor, now=now, target=award,
        details={"reason": reason},
    )  # fmt: skip
    return award


def credit(session: Session, actor: Actor, award: PointsAward, *, now: datetime) -> LedgerTransfer:
    """Credit `award` (its row locked by the caller, or just made): one transfer from the
    district's issuing account, posted once, and an SMS to the resident."""
    if award.state is not AwardState.NOTICE:
        raise Invalid(_l("This award cannot be credited now."))
    issuer = accounts.issuer_account(session, award.community, now=now)
    own = accounts.person_account(session, award.user, now=now)
    transfer = ledger.post(
        session, actor, unit=Unit.POINTS, kind=accounts.AWARDED,
        legs=[(issuer, -award.points), (own, award.points)],
        subject=accounts.award_subject(award.id), memo=award.rule.name_zh, now=now,
    )  # fmt: skip
    award.state, award.credited_at = AwardState.CREDITED, now
    session.flush()
    tallies.add_credited(session, award, now=now)
    queue_sms(
        session, phone=award.user.phone, kind=CREDITED_SMS,
        params={"deed_zh": award.rule.name_zh, "deed_en": award.rule.name_en,
                "points": award.points, "balance": own.balance},
        locale=award.user.locale or CHINESE, key=f"points.credited:{award.id}", now=now,
        cause=f"points_awards:{award.id}",
    )  # fmt: skip
    return transfer


def awarding_communities(session: Session, actor: Actor) -> list[Place]:
    """The communities where `actor` awards points, by place."""
    places = scopes(actor, Permission.AWARD_POINTS)
    if not places:
        return []
    query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
    if None not in places:
        query = query.where(or_(*(Place.path.startswith(place.path) for place in places)))
    return list(session.scalars(query.order_by(Place.path)))
