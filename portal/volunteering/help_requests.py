"""Spending hours (时间银行的兑换): older residents ask for help, a coordinator matches a
volunteer, and when the help is confirmed done the hours move from whoever pays to the
volunteer who gave it.

Who pays is chosen when asking: the elder's own stored hours (from the rules' spending age,
and only while they cover the time asked for), or the community's pool (priority elderly
only). Paying is one ledger transfer (timebank.SPENT, subject "volunteering.help:<id>") in the
transaction that confirms the help, with the part over the volunteer's cap going to the pool.
The request's row is locked first, so two coordinators confirming at once pay once (the
ledger's AlreadyPosted is the last guard), then the accounts in id order, as the ledger does.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.audit import services as audit
from portal.errors import Forbidden, Invalid, NotFound
from portal.events import publish
from portal.i18n import CHINESE
from portal.idnumbers import age_on
from portal.ledger import rules as ledger_rules
from portal.ledger import services as ledger
from portal.ledger.models import LedgerAccount, Unit
from portal.notifications.services import queue_sms
from portal.permissions import Actor, Permission, can, require, require_within
from portal.volunteering import family, kinds, timebank
from portal.volunteering.events import HoursConfirmed
from portal.volunteering.hours import STEP_MINUTES
from portal.volunteering.models import (
    Elder,
    FamilyMember,
    HelpPayer,
    HelpRequest,
    HelpState,
    ServiceKind,
    Volunteer,
    VolunteerState,
)
from portal.volunteering.timebank import TimeBankRules, hours_text
from portal.volunteering.volunteers import local_day

# The longest one request for help may ask for, and how far ahead it may be asked.
LONGEST_MINUTES = 8 * 60
FURTHEST = timedelta(days=90)
LOCATION_MAX, NOTE_MAX, REASON_MAX = 100, 500, 200


def subject_of(help_request: HelpRequest) -> str:
    """What the ledger's transfer paying for the help is about."""
    return f"volunteering.help:{help_request.id}"


# --- reading ---------------------------------------------------------------------------------


def get_help_request(session: Session, request_id: int) -> HelpRequest:
    found = session.get(HelpRequest, request_id)
    if found is None:
        raise NotFound(_l("There is no such request for help."))
    return found


def _lock(session: Session, help_request: HelpRequest) -> HelpRequest:
    """The request's row locked and read afresh: one change of its state at a time."""
    return session.scalars(
        select(HelpRequest)
        .where(HelpRequest.id == help_request.id)
        .with_for_update(of=HelpRequest)
        .execution_options(populate_existing=True)
    ).one()


def _balances(session: Session, accounts: list[LedgerAccount]) -> dict[int, LedgerAccount]:
    """The accounts locked in id order (as the ledger locks them) and read afresh."""
    ids = sorted({held.id for held in accounts})
    found = session.scalars(
        select(LedgerAccount)
        .where(LedgerAccount.id.in_(ids))
        .order_by(LedgerAccount.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {held.id: held for held in found}


# --- asking ----------------------------------------------------------------------------------


def _kind(session: Session, code: str) -> ServiceKind:
    kind = kinds.offered_kind(session, code)
    if kind is None:
        raise Invalid(_l("Choose the kind of help."), field="service_kind")
    return kind


def check_minutes(minutes: Any, field: str = "minutes") -> int:
    """Refuse a time that is not whole half hours, from half an hour to eight hours."""
    if not ledger_rules.is_whole(minutes) or minutes <= 0 or minutes % STEP_MINUTES:
        raise Invalid(_l("Give the time in half hours: 0.5, 1, 1.5 …"), field=field)
    if minutes > LONGEST_MINUTES:
        raise Invalid(_l("One request is for at most 8 hours."), field=field)
    return minutes


def _words(value: str, most: int, field: str, empty: Any, long: Any) -> str:
    value = (value or "").strip()
    if empty is not None and not value:
        raise Invalid(empty, field=field)
    if len(value) > most:
        raise Invalid(long, field=field)
    return value


def _may_ask(session: Session, actor: Actor, elder: Elder) -> FamilyMember | None:
    """Refuse anyone but the elder, a family member they agreed to, or staff who ask for the
    elders of the community (a grid worker of a grid in it too); the family member's entry
    when it is one asking."""
    if actor.id is not None and actor.id == elder.user_id:
        return None
    member = family.acting_for(session, actor, elder)
    if member is None:
        require_within(actor, Permission.ASK_HELP_FOR_ELDERS, elder.community)
    return member


# A request still to be given holds back the hours it will be paid with.
OPEN = (HelpState.ASKED, HelpState.MATCHED)


def promised_minutes(
    session: Session, *, elder_id: int | None = None, community_id: int | None = None
) -> int:
    """Minutes promised to open requests: those the elder pays with their own hours
    (`elder_id`), or those the community's pool pays for (`community_id`)."""
    query = select(func.coalesce(func.sum(HelpRequest.minutes), 0)).where(
        HelpRequest.state.in_(OPEN)
    )
    if elder_id is not None:
        query = query.where(HelpRequest.elder_id == elder_id, HelpRequest.payer == HelpPayer.OWN)
    else:
        query = query.where(
            HelpRequest.community_id == community_id, HelpRequest.payer == HelpPayer.POOL
        )
    return int(session.scalar(query) or 0)


def held_and_promised(
    session: Session, account: LedgerAccount, **whose: int | None
) -> tuple[int, int]:
    """The account's balance, read under its row lock (two asks at once count one after the
    other), and how much of it open requests have promised."""
    held = _balances(session, [account])[account.id].balance
    return held, promised_minutes(session, **whose)


def _too_little(held: int, promised: int, asked: int, *, by_elder: bool, pool: bool) -> str:
    """Why `asked` minutes cannot be paid from `held`, `promised` of which are spoken for,
    and what to do instead."""
    values = {"held": hours_text(held), "promised": hours_text(promised),
              "asked": hours_text(asked)}  # fmt: skip
    if pool and promised:
        said = _(
            "The community's pool holds %(held)s hours, %(promised)s of them promised to "
            "other requests for help: not enough for %(asked)s hours.",
            **values,
        )
    elif pool:
        said = _(
            "The community's pool holds %(held)s hours now, not enough for %(asked)s hours.",
            **values,
        )
    elif by_elder and promised:
        said = _(
            "You hold %(held)s hours, %(promised)s of them promised to other requests "
            "for help: not enough for %(asked)s hours.",
            **values,
        )
    elif by_elder:
        said = _(
            "Your stored hours (%(held)s hours) do not cover %(asked)s hours of help.", **values
        )
    elif promised:
        said = _(
            "They hold %(held)s hours, %(promised)s of them promised to other requests "
            "for help: not enough for %(asked)s hours.",
            **values,
        )
    else:
        said = _(
            "Their stored hours (%(held)s hours) do not cover %(asked)s hours of help.", **values
        )
    if held - promised > 0:
        then = _("Ask for less time.")
    elif pool:
        then = _("Ask the community.")
    else:
        then = _("Ask the community whether its pool can pay, or whether a family member can "
                 "give you hours.")  # fmt: skip
    return f"{said} {then}"


def _check_payer(
    session: Session,
    elder: Elder,
    payer: HelpPayer,
    minutes: int,
    rules: TimeBankRules,
    now: datetime,
    *,
    by_elder: bool = True,
) -> None:
    """Refuse a payer who may not pay for `minutes` of help, saying why. What open requests
    will be paid with is held back; the paying account's row is locked first, so two asks at
    once for the last hours are counted one after the other."""
    if payer is HelpPayer.OWN:
        if age_on(elder.birth_date, local_day(now)) < rules.spending_age:
            raise Invalid(
                _l("Stored hours can be spent from the age of %(age)d. Ask the community "
                   "whether its pool can pay.", age=rules.spending_age),
                field="payer",
            )  # fmt: skip
        account = timebank.person_account(session, elder.user, rules, now=now)
        held, promised = held_and_promised(session, account, elder_id=elder.id)
        if held - promised < minutes:
            raise Invalid(_too_little(held, promised, minutes, by_elder=by_elder, pool=False),
                          field="minutes")  # fmt: skip
        return
    if not elder.priority:
        raise Invalid(
            _l("The community's pool pays only for priority elderly residents. Pay with "
               "stored hours, or ask the community."),
            field="payer",
        )  # fmt: skip
    account = timebank.pool_account(session, elder.community, now=now)
    held, promised = held_and_promised(session, account, community_id=elder.community_id)
    if held - promised < minutes:
        raise Invalid(_too_little(held, promised, minutes, by_elder=by_elder, pool=True),
                      field="minutes")  # fmt: skip


def _refuse_twice(session: Session, elder: Elder, kind: ServiceKind, starts_at: datetime) -> None:
    """Refuse a request the elder has open already: the same kind of help at the same time."""
    same = session.scalar(
        select(HelpRequest.id).where(
            HelpRequest.elder_id == elder.id,
            HelpRequest.service_kind_id == kind.id,
            HelpRequest.starts_at == starts_at,
            HelpRequest.state.in_(OPEN),
        )
    )
    if same is not None:
        raise Invalid(_l("Help at this time has been asked for already."), field="day")


def ask_for_help(
    session: Session,
    actor: Actor,
    elder: Elder,
    *,
    service_kind: str,
    starts_at: datetime,
    minutes: int,
    location: str,
    note: str,
    payer: HelpPayer | str,
    rules: TimeBankRules,
    now: datetime,
) -> HelpRequest:
    """Ask for help for `elder` (by the elder; on their behalf by a family member they agreed
    to, a coordinator or a grid worker of their community): a kind of service, when, for how
    long (half hours), where, and who pays. The elder is texted when someone else asks."""
    member = _may_ask(session, actor, elder)
    kind = _kind(session, service_kind)
    if starts_at <= now:
        raise Invalid(_l("Choose a time still to come."), field="day")
    if starts_at - now > FURTHEST:
        raise Invalid(_l("Ask at most 90 days ahead."), field="day")
    minutes = check_minutes(minutes)
    location = _words(location, LOCATION_MAX, "location", _l("Say where the help is needed."),
                      _l("Keep the place within 100 characters."))  # fmt: skip
    note = _words(note, NOTE_MAX, "note", None, _l("Keep the note within 500 characters."))
    try:
        payer = HelpPayer(payer)
    except ValueError:
        raise Invalid(_l("Choose who pays."), field="payer") from None
    by_elder = actor.id == elder.user_id
    if payer is HelpPayer.OWN and not by_elder and member is None:
        # A person's stored hours are spent only by them, or by a family member they agreed
        # to in front of a coordinator: no one else (staff included) may decide to spend them.
        raise Invalid(
            _l("Only the older resident, or a family member they agreed to, can spend their "
               "stored hours. On their behalf, ask for help paid by the community's pool."),
            field="payer",
        )  # fmt: skip
    # Asked before the hours are counted, so the asker hears the plain reason; asked again
    # once the payer's row is locked, so that a form sent twice at once is not made twice.
    _refuse_twice(session, elder, kind, starts_at)
    _check_payer(session, elder, payer, minutes, rules, now, by_elder=by_elder)
    _refuse_twice(session, elder, kind, starts_at)
    made = HelpRequest(
        elder=elder,
        community_id=elder.community_id,
        service_kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        location=location,
        note=note,
        payer=payer,
        state=HelpState.ASKED,
        asked_at=now,
        asked_by_id=actor.id,
    )
    session.add(made)
    session.flush()
    if not by_elder:
        audit.record(session, "volunteering.help_ask", actor=actor, now=now, target=made,
                     details={"elder": elder.id, "payer": payer.value,
                              "family_member": member.id if member else None})  # fmt: skip
        # The elder hears of help asked in their name, and by whom.
        _text(session, made, elder.user, "time_bank_help_asked_for_you", now,
              asker=member.name if member else "")  # fmt: skip
    return made


# --- matching --------------------------------------------------------------------------------


def match_volunteer(
    session: Session,
    actor: Actor,
    help_request: HelpRequest,
    *,
    volunteer: Volunteer | None,
    now: datetime,
) -> HelpRequest:
    """Choose an approved volunteer of the community to give the help; they are texted."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, help_request.community)
    help_request = _lock(session, help_request)
    if help_request.state is not HelpState.ASKED:
        raise Invalid(_l("This request has a volunteer already, or is closed."))
    if (
        volunteer is None
        or volunteer.state is not VolunteerState.APPROVED
        or volunteer.community_id != help_request.community_id
    ):
        raise Invalid(_l("Choose an approved volunteer of this community."), field="volunteer")
    if volunteer.user_id == help_request.elder.user_id:
        raise Invalid(_l("A person cannot be paid for helping themselves."), field="volunteer")
    help_request.volunteer = volunteer
    help_request.state = HelpState.MATCHED
    help_request.matched_at, help_request.matched_by_id = now, actor.id
    session.flush()
    elder = help_request.elder
    _text(session, help_request, volunteer.user, "time_bank_help_matched", now,
          elder=elder.real_name, url=help_page_url())  # fmt: skip
    # The elder hears who is coming, and so does whoever asked for them (unless they are the
    # coordinator matching, who knows).
    coming = {"volunteer": volunteer.real_name}
    _text(session, help_request, elder.user, "time_bank_help_volunteer_coming", now, **coming)
    asker = session.get(User, help_request.asked_by_id) if help_request.asked_by_id else None
    if asker is not None and asker.id not in (elder.user_id, actor.id):
        _text(session, help_request, asker, "time_bank_help_volunteer_coming", now,
              **coming, **{"for": elder.real_name})  # fmt: skip
    audit.record(session, "volunteering.help_match", actor=actor, now=now, target=help_request,
                 details={"volunteer": volunteer.id})  # fmt: skip
    return help_request


# --- confirming and paying -------------------------------------------------------------------


def confirm_done(
    session: Session,
    actor: Actor,
    help_request: HelpRequest,
    *,
    minutes: int,
    rules: TimeBankRules,
    now: datetime,
) -> HelpRequest:
    """Confirm the help given, `minutes` of it (half hours, at most what the payer holds), and
    pay the volunteer in the same transaction: one transfer from the payer, the part over the
    volunteer's cap to the community's pool. Refused, with nothing written, if the payer
    holds too little or it was confirmed already."""
    require(actor, Permission.COORDINATE_VOLUNTEERS, help_request.community)
    minutes = check_minutes(minutes)
    help_request = _lock(session, help_request)
    if help_request.state is HelpState.DONE:
        raise Invalid(_l("This help has been confirmed already; it was paid once."))
    if help_request.state is not HelpState.MATCHED:
        raise Invalid(_l("Only help a volunteer was matched to can be confirmed."))
    if now < help_request.starts_at:
        raise Invalid(_l("The help has not started yet: confirm it once it is given."))
    elder, volunteer = help_request.elder, help_request.volunteer
    if volunteer.user_id == elder.user_id:
        raise Invalid(_l("A person cannot be paid for helping themselves."))
    if minutes > help_request.minutes:
        # The payer agreed to the time asked for, no more.
        raise Invalid(
            _l("Confirm at most the %(hours)s hours asked for.",
               hours=hours_text(help_request.minutes)),
            field="minutes",
        )  # fmt: skip
    if help_request.payer is HelpPayer.POOL and not elder.priority:
        raise Invalid(
            _l("This resident is no longer a priority resident: the pool cannot pay. Cancel "
               "the request and ask again."),
        )  # fmt: skip
    community = help_request.community
    if help_request.payer is HelpPayer.OWN:
        paying = timebank.person_account(session, elder.user, rules, now=now)
    else:
        paying = timebank.pool_account(session, community, now=now)
    earning = timebank.person_account(session, volunteer.user, rules, now=now)
    pool = timebank.pool_account(session, community, now=now)
    held = _balances(session, [paying, earning, pool])
    if held[paying.id].balance < minutes:
        raise Invalid(_short_message(help_request.payer, held[paying.id].balance), field="minutes")
    fits, over = ledger_rules.split_at_cap(minutes, held[earning.id].balance, held[earning.id].cap)
    amounts = {paying.id: -minutes}
    for account_id, amount in ((earning.id, fits), (pool.id, over)):
        amounts[account_id] = amounts.get(account_id, 0) + amount
    legs = [(held[account_id], amount) for account_id, amount in amounts.items() if amount]
    transfer = None
    if legs:
        try:
            transfer = ledger.post(
                session, actor, unit=Unit.MINUTES, kind=timebank.SPENT, legs=legs,
                subject=subject_of(help_request), memo=f"help {help_request.id}", now=now,
            )  # fmt: skip
        except ledger_rules.Insufficient as error:
            raise Invalid(
                _short_message(help_request.payer, ledger.balance(session, paying)),
                field="minutes",
            ) from error
    help_request.state = HelpState.DONE
    help_request.done_minutes, help_request.done_at = minutes, now
    help_request.done_by_id = actor.id
    help_request.transfer_id = transfer.id if transfer is not None else None
    session.flush()
    _text(session, help_request, volunteer.user, "time_bank_help_paid", now,
          hours=hours_text(fits), over=hours_text(over))  # fmt: skip
    audit.record(session, "volunteering.help_done", actor=actor, now=now, target=help_request,
                 details={"minutes": minutes, "payer": help_request.payer.value,
                          "to_volunteer": fits, "over_cap_to_pool": over,
                          "transfer": help_request.transfer_id})  # fmt: skip
    publish(
        session,
        HoursConfirmed(
            volunteer=volunteer.user, minutes=minutes, community=community,
            record=f"help:{help_request.id}", about=help_request.service_kind.name_zh, now=now,
        ),
    )  # fmt: skip
    return help_request


def _short_message(payer: HelpPayer, held: int) -> Any:
    if payer is HelpPayer.OWN:
        return _l("The older resident holds %(held)s hours: confirm at most that much.",
                  held=hours_text(held))  # fmt: skip
    return _l("The community's pool holds %(held)s hours: confirm at most that much.",
              held=hours_text(held))  # fmt: skip


# --- cancelling ------------------------------------------------------------------------------


def cancel_help(
    session: Session, actor: Actor, help_request: HelpRequest, *, reason: str, now: datetime
) -> HelpRequest:
    """Cancel a request before it is done: by the elder or the family member who asked for it
    (a reason is welcome), or a coordinator (with a reason). Whoever else is involved is
    texted: the volunteer, and the elder when someone else cancels."""
    by_elder = actor.id is not None and actor.id == help_request.elder.user_id
    by_family = may_cancel_as_family(session, actor, help_request)
    resident = by_elder or by_family
    if not resident and not can(actor, Permission.COORDINATE_VOLUNTEERS, help_request.community):
        raise Forbidden(_l("Only the older resident or a coordinator can cancel this."))
    reason = _words(reason, REASON_MAX, "reason",
                    None if resident else _l("Say why it is cancelled: they are told."),
                    _l("Keep it within 200 characters."))  # fmt: skip
    help_request = _lock(session, help_request)
    if help_request.state not in (HelpState.ASKED, HelpState.MATCHED):
        raise Invalid(_l("This request is done or cancelled already."))
    if resident and help_request.state is HelpState.MATCHED and now >= help_request.starts_at:
        # The help may have been given: the coordinator, who confirms it, decides.
        raise Invalid(_l("The help was due to start: please call the community to cancel."))
    help_request.state = HelpState.CANCELLED
    help_request.cancelled_at, help_request.cancelled_by_id = now, actor.id
    help_request.cancel_reason = reason
    session.flush()
    told = []
    if help_request.volunteer is not None:
        told.append(help_request.volunteer.user)
    if not by_elder:
        told.append(help_request.elder.user)
    for person in told:
        _text(session, help_request, person, "time_bank_help_cancelled", now)
    audit.record(session, "volunteering.help_cancel", actor=actor, now=now, target=help_request,
                 details={"reason": reason, "by_elder": by_elder,
                          "by_family": by_family and not by_elder})  # fmt: skip
    return help_request


def resident_may_cancel(session: Session, actor: Actor, help_request: HelpRequest) -> bool:
    """Whether `actor` may cancel this request as the elder or the family member who asked."""
    by_elder = actor.id is not None and actor.id == help_request.elder.user_id
    return by_elder or may_cancel_as_family(session, actor, help_request)


def may_cancel_as_family(session: Session, actor: Actor, help_request: HelpRequest) -> bool:
    """Whether `actor` asked for this help as a family member of the elder, and still is one."""
    return (
        actor.id is not None
        and help_request.asked_by_id == actor.id
        and family.acting_for(session, actor, help_request.elder) is not None
    )


# --- texting ---------------------------------------------------------------------------------


def help_page_url() -> str:
    """The page of the help a volunteer is asked to give, as an SMS carries it."""
    from flask import current_app

    return f"{current_app.config['BASE_URL'].rstrip('/')}/volunteering/help/mine"


def sms_params(help_request: HelpRequest, **extra: str) -> dict[str, Any]:
    kind = help_request.service_kind
    return {
        "kind_zh": kind.name_zh,
        "kind_en": kind.name_en,
        "starts_at": help_request.starts_at.isoformat(),
        "location": help_request.location,
        "reason": help_request.cancel_reason or "",
        # The community's public number (the one its doors show), for the elder to call.
        "phone": help_request.community.phone or "",
        **extra,
    }


def _text(
    session: Session,
    help_request: HelpRequest,
    person: User,
    kind: str,
    now: datetime,
    **extra: str,
) -> None:
    queue_sms(
        session,
        phone=person.phone,
        kind=kind,
        params=sms_params(help_request, **extra),
        locale=person.locale or CHINESE,
        key=f"volunteering:{kind}:{help_request.id}:{person.id}",
        cause=f"volunteering:help:{help_request.id}",
        expires_at=max(help_request.starts_at, now) + timedelta(days=1),
        now=now,
    )
