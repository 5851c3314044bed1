"""A district's earning rules (积分规则): what each listed deed earns, whether it needs review
and public notice (公示) before it is credited, and how often one person may earn it.

District administrators keep them: add, change and retire (never delete: awards keep their
rule); a retired rule is no longer awarded, and may come back. A change reaches awards given
after it only: an award keeps the points it was given with.

A rule's source is chosen when it is added and kept: a listed deed (DEED), which coordinators
award by hand, or one of the portal's built-in sources (sources.py), which the portal applies
when its cause happens. A district has at most one rule in force per built-in source: the
service says so plainly, and the database's partial unique index is the last guard.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.errors import Invalid, NotFound
from portal.numbers import parse_number
from portal.permissions import Actor, Permission, require, scopes
from portal.places.models import Place, PlaceKind
from portal.points.models import NAME_EN_MAX, NAME_ZH_MAX, PointsRule, PointsSource

# The most one deed earns: published schemes go up to 600 (盐城盐都); more is a typing mistake.
POINTS_MAX = 1000
# The most awards of one rule a limit may allow in its period.
LIMIT_MAX = 999

# What each source is, in the administrators' words (the form's choices, a rule's line).
SOURCE_NAMES = {
    PointsSource.DEED: _l("A listed deed"),
    PointsSource.VOLUNTEER_HOURS: _l("Volunteer service hours (per hour)"),
    PointsSource.APPEAL_RATED: _l("An appeal closed and rated satisfied"),
    PointsSource.MEETING_ATTENDED: _l("Attending a secretary online meeting"),
    PointsSource.LEGAL_DAY_ATTENDED: _l("Attending a legal service day"),
}


@dataclass(frozen=True)
class RuleValues:
    """What an administrator typed for a rule, checked."""

    name_zh: str
    name_en: str
    points: int
    needs_review: bool
    per_day: int | None
    per_month: int | None
    per_year: int | None


def managed_districts(session: Session, actor: Actor) -> list[Place]:
    """The districts whose rules `actor` keeps, by name."""
    places = scopes(actor, Permission.MANAGE_POINTS)
    query = select(Place).where(Place.kind == PlaceKind.DISTRICT).order_by(Place.name_zh)
    if None not in places:
        ids = [place.id for place in places if place.kind is PlaceKind.DISTRICT]
        if not ids:
            return []
        query = query.where(Place.id.in_(ids))
    return list(session.scalars(query))


def district_rules(session: Session, actor: Actor, district: Place) -> list[PointsRule]:
    """Every rule of `district`, retired ones last, for its administrators."""
    require(actor, Permission.MANAGE_POINTS, district)
    return list(
        session.scalars(
            select(PointsRule)
            .where(PointsRule.district_id == district.id)
            .order_by(PointsRule.retired_at.is_not(None), PointsRule.points, PointsRule.id)
        )
    )


def offered_rules(session: Session, district: Place) -> list[PointsRule]:
    """The listed deeds a coordinator may award in `district`, smallest first (a built-in
    source's rule is applied by the portal, never by hand)."""
    return list(
        session.scalars(
            select(PointsRule)
            .where(
                PointsRule.district_id == district.id,
                PointsRule.source == PointsSource.DEED,
                PointsRule.retired_at.is_(None),
            )
            .order_by(PointsRule.points, PointsRule.name_zh, PointsRule.id)
        )
    )


def get_rule(session: Session, actor: Actor, rule_id: int) -> PointsRule:
    """A rule, for an administrator of its district."""
    rule = session.get(PointsRule, rule_id)
    if rule is None:
        raise NotFound(_l("There is no such rule."))
    require(actor, Permission.MANAGE_POINTS, rule.district)
    return rule


def _limit(raw: Any, field: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_number(raw, low=1, high=LIMIT_MAX)
    except ValueError:
        raise Invalid(
            _l("A limit is a whole number from 1 to 999, or empty for none."), field=field
        ) from None


def check_values(
    *, name_zh: Any, name_en: Any, points: Any, needs_review: Any, per_day: Any = None,
    per_month: Any = None, per_year: Any = None,
) -> RuleValues:  # fmt: skip
    """The rule's values, or Invalid naming the field that is wrong."""
    chinese = " ".join(str(name_zh or "").split())
    english = " ".join(str(name_en or "").split())
    if not chinese:
        raise Invalid(_l("Name the deed in Chinese."), field="name_zh")
    if len(chinese) > NAME_ZH_MAX:
        raise Invalid(_l("Keep the Chinese name within 30 characters."), field="name_zh")
    if not english:
        raise Invalid(_l("Name the deed in English."), field="name_en")
    if len(english) > NAME_EN_MAX:
        raise Invalid(_l("Keep the English name within 60 characters."), field="name_en")
    try:
        earned = parse_number(points, low=1, high=POINTS_MAX)
    except ValueError:
        raise Invalid(_l("Points are a whole number from 1 to 1,000."), field="points") from None
    day, month, year = (
        _limit(per_day, "per_day"), _limit(per_month, "per_month"), _limit(per_year, "per_year")
    )  # fmt: skip
    if day and month and day > month:
        raise Invalid(_l("A day's limit cannot be more than the month's."), field="per_day")
    if month and year and month > year:
        raise Invalid(_l("A month's limit cannot be more than the year's."), field="per_month")
    return RuleValues(chinese, english, earned, bool(needs_review), day, month, year)


def check_source(raw: Any) -> PointsSource:
    """The source chosen for a new rule (a listed deed when none is given)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return PointsSource.DEED
    try:
        return PointsSource(str(raw).strip())
    except ValueError:
        raise Invalid(_l("Choose where the points come from."), field="source") from None


def rule_in_force(session: Session, district: Place, source: PointsSource) -> PointsRule | None:
    """The district's rule in force for a built-in `source`, if it has one."""
    return session.scalar(
        select(PointsRule).where(
            PointsRule.district_id == district.id,
            PointsRule.source == source,
            PointsRule.retired_at.is_(None),
        )
    )


def _one_in_force(source: PointsSource) -> Invalid:
    return Invalid(
        _l("This district has a rule of this kind in force already (%(source)s): change that "
           "rule, or retire it first.", source=SOURCE_NAMES[source]),
        field="source",
    )  # fmt: skip


def _refuse_second(session: Session, rule: PointsRule) -> None:
    """Refuse a second rule in force of the same built-in source in the rule's district."""
    if rule.source is PointsSource.DEED:
        return
    found = rule_in_force(session, rule.district, rule.source)
    if found is not None and found.id != rule.id:
        raise _one_in_force(rule.source)


def _write_one_in_force(session: Session, rule: PointsRule, write: Callable[[], None]) -> None:
    """Make the change `write` makes to `rule` and flush it in a savepoint: another
    administrator's rule of the same source, put in force at the same moment, is refused by the
    unique index with the same words as the check above."""
    try:
        # The change is made inside the savepoint: starting one flushes what is pending first.
        with session.begin_nested():
            write()
            session.flush()
    except IntegrityError as error:
        if rule_in_force(session, rule.district, rule.source) is None:
            raise
        raise _one_in_force(rule.source) from error


def _details(rule: PointsRule) -> dict[str, Any]:
    return {
        "source": rule.source.value, "name_zh": rule.name_zh, "name_en": rule.name_en,
        "points": rule.points, "needs_review": rule.needs_review, "per_day": rule.per_day,
        "per_month": rule.per_month, "per_year": rule.per_year,
    }  # fmt: skip


def add_rule(
    session: Session, actor: Actor, district: Place | None, values: RuleValues, *,
    source: PointsSource = PointsSource.DEED, now: datetime,
) -> PointsRule:  # fmt: skip
    """A new earning rule in `district`, of `source` (a listed deed unless said)."""
    if district is None or district.kind is not PlaceKind.DISTRICT:
        raise Invalid(_l("Choose a district."), field="district")
    require(actor, Permission.MANAGE_POINTS, district)
    rule = PointsRule(district=district, source=source, created_at=now, **values.__dict__)
    _refuse_second(session, rule)
    _write_one_in_force(session, rule, lambda: session.add(rule))
    audit.record(
        session, "points.add_rule", actor=actor, now=now, target=rule, details=_details(rule)
    )
    return rule


def change_rule(
    session: Session, actor: Actor, rule: PointsRule, values: RuleValues, *, now: datetime
) -> PointsRule:
    """New names, points, review or limits for awards from now on."""
    require(actor, Permission.MANAGE_POINTS, rule.district)
    before = _details(rule)
    for name, value in values.__dict__.items():
        setattr(rule, name, value)
    session.flush()
    audit.record(
        session, "points.change_rule", actor=actor, now=now, target=rule,
        details={"before": before, "after": _details(rule)},
    )  # fmt: skip
    return rule


def retire_rule(
    session: Session, actor: Actor, rule: PointsRule, *, retired: bool, now: datetime
) -> PointsRule:
    """Retire a rule (no longer awarded; its awards stay as they are), or bring it back."""
    require(actor, Permission.MANAGE_POINTS, rule.district)
    if retired and rule.retired_at is None:
        rule.retired_at = now
    elif not retired and rule.retired_at is not None:
        _refuse_second(session, rule)
        _write_one_in_force(session, rule, lambda: setattr(rule, "retired_at", None))
    session.flush()
    audit.record(
        session, "points.retire_rule" if retired else "points.restore_rule", actor=actor,
        now=now, target=rule, details={"name_zh": rule.name_zh},
    )  # fmt: skip
    return rule
