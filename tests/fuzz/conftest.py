"""The fuzzer's world: real rows, one signed-in browser per role, and every route's targets.

The world is made once per module, in a database of its own, and committed: what it locks
on PostgreSQL (advisory locks on phone numbers and buildings, shared by every schema) is let go
at once, not held against other test runs for the whole module. Each fuzzed request then runs
in a transaction rolled back after it, so that one request (signing out, disabling a user,
retiring a building) never changes what the next one meets.
Rate limits and the app's caches are emptied before every request, so limits never turn a
request away before its form (one request counts once against a limit of tens).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.accounts.models import RoleGrant, User
from portal.appeals import services as appeals
from portal.appeals.models import BlockedPhone
from portal.catalogue.models import CatalogueItem
from portal.catalogue.services import seed_catalogue
from portal.db import utcnow
from portal.legal import asking as legal_asking
from portal.legal.models import AnswerSnippet, ConsultationState, LegalTopic
from portal.legal.settings import LegalSettings
from portal.meetings.booking import Booker, free_times
from portal.meetings.feeds import new_feed
from portal.meetings.models import Closure, MeetingKind
from portal.meetings.secretary import MeetingSettings, arrange, ask
from portal.notifications import signing
from portal.notifications.models import SmsMessage
from portal.permissions import SYSTEM, Role
from portal.points import awards as points_awards
from portal.points import earning_rules as points_rules
from portal.points import notice as points_notice
from portal.points import orders as points_orders
from portal.points import rewards as points_rewards
from portal.points.settings import PointsSettings
from portal.units.models import Unit, UnitMember
from portal.uploads.web import store as upload_store
from portal.volunteering.models import ServiceKind, VolunteerState
from tests import factories
from tests.appeals.conftest import accepted, file_appeal, resolved
from tests.archives.stages import stages as archive_stages
from tests.conftest import Database, dispose, forget_counters, make_test_app, migrated_engine
from tests.fuzz import hostile
from tests.fuzz.reach import Reach
from tests.legal import helpers as legal_helpers
from tests.legal.faq_helpers import faq_rows
from tests.meetings.conftest import schedule_for
from tests.outbox import Outbox
from tests.points.shop_world import fund as shop_fund
from tests.points.shop_world import reward as shop_reward
from tests.test_routes import CONFIGURATIONS as ROUTE_CONFIGURATIONS
from tests.volunteering.attendance_world import seat

RESIDENT_PHONE = "13712345678"
COOKIE = "portal_session"
HEADERS = {"Accept-Language": "zh-CN,zh;q=0.9"}
# The roles a request is sent as; each gets a signed-in browser (anonymous: a session only).
# Two more are anonymous browsers part-way through a flow, whose next form needs its session:
# one has asked for a sign-in code, one has sent a report that waits for its code.
ROLES = (
    "anonymous",
    "signing_in",
    "reporter",
    "resident",
    "grid_worker",
    "secretary",
    "street_officer",
    "unit_officer",
    "legal_adviser",
    "legal_supervisor",
    "archivist",
    "admin",
)


@dataclass
class World:
    """Who is who, and real values for every URL argument of the portal's rules (the first
    is used where a route is not found on any page); `scoped_values` are those of the routes
    whose rule starts with a prefix, over the others (see values_for)."""

    users: dict[str, User]
    unconfirmed_tracking: str
    url_values: dict[str, list[str]] = field(default_factory=dict)
    scoped_values: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def values_for(
    rule: str, values: dict[str, list[str]], scoped: dict[str, dict[str, list[str]]]
) -> dict[str, list[str]]:
    """The values of `rule`'s arguments: a feature's own (its archives' codes and requests'
    references, scoped by the start of its rules) over everyone's. Tried at every route, a
    feature's codes would multiply the pages opened elsewhere (/b/<code>) for nothing."""
    for prefix, own in scoped.items():
        if rule.startswith(prefix):
            return values | own
    return values


def make_world(session: Session) -> World:
    """A district with staff at every level, a unit, and appeals in the states whose pages
    show different forms (new, in hand, summoned, resolved, waiting for its code)."""
    tree = factories.tree(session)
    seed_catalogue(session)
    unit = Unit(code="housing", place=tree.district, name_zh="区住建局", name_en="Housing")
    unit_officer = factories.user(session, Role.OFFICER, tree.other_street, name="住建科员")
    session.add_all([unit, UnitMember(unit=unit, user=unit_officer)])
    users = {
        "resident": factories.user(session, Role.RESIDENT, phone=RESIDENT_PHONE, name="居民"),
        "grid_worker": factories.user(session, Role.GRID_WORKER, tree.grid, name="网格员"),
        "secretary": factories.user(session, Role.SECRETARY, tree.community, name="书记"),
        "street_officer": factories.user(session, Role.OFFICER, tree.street, name="街道"),
        "unit_officer": unit_officer,
        "legal_adviser": factories.user(session, Role.LEGAL_ADVISER, tree.community, name="律师"),
        "legal_supervisor": factories.user(
            session, Role.LEGAL_SUPERVISOR, tree.district, name="法律主管"
        ),
        "admin": factories.user(session, Role.ADMIN, None, name="管理员"),
    }
    # The appeal helpers of tests/appeals take the staff who act; only the grid worker does.
    staff = SimpleNamespace(grid_worker=users["grid_worker"])
    now = utcnow() - timedelta(hours=1)
    new = file_appeal(session, tree.building, now, phone=RESIDENT_PHONE)
    in_hand = accepted(session, tree, staff, now, phone=RESIDENT_PHONE)
    summons = appeals.summon(
        session, users["grid_worker"], in_hand, unit.id, 48, "请派人查看", now=now
    )
    done = resolved(session, tree, staff, now, phone=RESIDENT_PHONE)
    waiting = file_appeal(session, tree.building, now, phone=RESIDENT_PHONE, confirm=False)
    # Something retired or disabled of each kind, so that pages show how to bring it back.
    retired_item = session.scalars(select(CatalogueItem).order_by(CatalogueItem.id.desc())).first()
    retired_item.retired_at = now
    factories.building(session, tree.grid, "丙楼1栋").retired_at = now
    session.add(
        Unit(code="old", place=tree.district, name_zh="旧局", name_en="Old", retired_at=now)
    )
    factories.user(session, Role.GRID_WORKER, tree.grid, name="已离职").disabled_at = now
    session.add(BlockedPhone(phone="13900000001", reason="广告", blocked_at=now))
    session.flush()
    # 书记在线: a request waiting, and a meeting the secretary booked for the resident.
    schedule = schedule_for(session, users["secretary"], tree.community, horizon_days=60)
    resident = Booker(phone=RESIDENT_PHONE, user_id=users["resident"].id)
    settings = MeetingSettings(base_url="http://127.0.0.1")
    arranged = ask(session, tree.community, resident, about="加装电梯", now=now)
    start = free_times(session, schedule, now, limit=1)[0].start
    booking = arrange(session, settings, users["secretary"], arranged, start, now=now)
    request = ask(session, tree.community, resident, about="想谈谈停车", now=now)
    # A day off of the secretary's, for the days-off pages.
    closure = Closure(host_id=users["secretary"].id, first_day=booking.day + timedelta(days=1),
                      last_day=booking.day + timedelta(days=1), reason="年假")  # fmt: skip
    session.add(closure)
    session.flush()
    feed_token = new_feed(session, users["secretary"], now=now)
    # 遇8有约: an adviser receiving every day, so that the walk-in form is on their desk.
    legal = schedule_for(
        session, users["legal_adviser"], tree.community, kind=MeetingKind.LEGAL,
        weekly={str(day): [["00:00", "23:40"]] for day in range(7)}, buffer_minutes=0,
        daily_cap=None,
    )  # fmt: skip
    # Legal consultations: one waiting for the adviser, cleared (so the answer form shows), who
    # also supervises the district (so the reassignment form shows), and one of their snippets.
    users["legal_adviser"].grants.append(
        RoleGrant(role=Role.LEGAL_SUPERVISOR, place=tree.district, granted_at=now)
    )
    factories.user(session, Role.LEGAL_ADVISER, tree.community, name="另一位律师")
    consultation = legal_helpers.consultation(session, tree.community, now=now,
                                              resident=users["resident"])  # fmt: skip
    consultation.cleared_at = now
    snippet = AnswerSnippet(adviser_id=users["legal_adviser"].id, title="押金", body="押金应退还。")
    session.add(snippet)
    # Volunteering: an activity to come, for its page, its sign-up form and its roster.
    activity = factories.activity(session, tree.community, starts_at=now + timedelta(days=3))
    # The time bank: a volunteer's relative waiting on the pool page, to confirm or refuse.
    relative = factories.relative(
        session, factories.volunteer(session, tree.community, name="赠时志愿者"), state="declared"
    )
    # Help for the elderly: the resident registered as an older resident, asking for help.
    elder = factories.elder(session, tree.community, user=users["resident"], name="居民")
    help_request = factories.help_request(session, elder, starts_at=now + timedelta(days=2))
    # A family member who asks for another older resident, for the elder's page to list.
    member = factories.family_member(
        session, factories.elder(session, tree.community, name="王秀英"), name="李建国"
    )
    # Volunteering: the resident declined once (so their form to apply again is reachable),
    # and an application waiting for the secretary (so the answer's forms are on its page).
    factories.volunteer(session, tree.community, user=users["resident"], name="居民",
                        state=VolunteerState.DECLINED).decline_reason = "请先参加培训"  # fmt: skip
    applied = factories.volunteer(session, tree.community, state=VolunteerState.APPLIED)
    # Volunteering: an activity under way with a volunteer seated, for check-in and its hours.
    under_way = factories.activity(session, tree.community, starts_at=now)
    sign_up = seat(session, under_way, factories.volunteer(session, tree.community))
    # Grid points: a rule needing review, an award waiting for the secretary's review, and one
    # on public notice with the resident's objection waiting for a decision.
    points_rule = points_rules.add_rule(
        session, SYSTEM, tree.district,
        points_rules.check_values(name_zh="区级表彰", name_en="District commendation",
                                  points=20, needs_review=True),
        now=now,
    )  # fmt: skip
    proposer = factories.user(session, Role.COORDINATOR, tree.community, name="协调员")
    proposed = [
        points_awards.award_points(session, proposer, tree.community, rule_id=points_rule.id,
                                   phone=RESIDENT_PHONE, reason="获评文明家庭", now=now)
        for _ in range(2)
    ]  # fmt: skip
    points_awards.approve_award(session, users["secretary"], proposed[1].id, notice_days=5,
                                now=now)  # fmt: skip
    objection = points_notice.lodge_objection(session, users["resident"], proposed[1].id,
                                              reason="不属实", now=now)  # fmt: skip
    # The points shop: a reward listed by the secretary, for its edit and stock forms; one in
    # stock the resident ordered, and one that ran out.
    reward = points_rewards.add_reward(
        session, users["secretary"], tree.community,
        points_rewards.check_values(kind="goods", name_zh="大米 5斤", name_en="Rice", price=300,
                                    stock=20, pickup_zh="社区服务中心", pickup_en="Centre",
                                    with_stock=True),
        now=now,
    )  # fmt: skip
    shop_fund(session, users["resident"], tree.community, 1000, now=now)
    rewards = [
        shop_reward(session, tree.community, created_at=now),
        shop_reward(session, tree.community, name_zh="毛巾", stock=0, created_at=now),
    ]
    shop_order = points_orders.order(
        session,
        users["resident"],
        rewards[0].id,
        now=now,
        settings=PointsSettings(base_url="http://127.0.0.1"),
    )
    # Legal consultations (e法官), the resident's side: one answered (its follow-up and rating
    # forms show) and a minor's waiting for the guardian's code (its code form).
    consultations = [
        legal_asking.ask(
            session, users["resident"], tree.community,
            legal_asking.Question(topic_id=session.scalars(select(LegalTopic.id)).first(),
                                  body="房东不退押金怎么办？", consented=True, is_minor=minor,
                                  guardian_phone="13912340000"),
            settings=LegalSettings(), secret=b"fuzz", locale="zh_Hans_CN", now=now,
        )
        for minor in (False, True)
    ]  # fmt: skip
    consultations[0].state = ConsultationState.ANSWERED
    consultations[0].last_answer_at = now
    # Legal questions and answers: one waiting for the resident's consent, one the adviser
    # writes, one published, and a closed consultation the adviser may propose.
    legal_faqs = faq_rows(session, tree, users["resident"], users["legal_adviser"])
    # Archive queries: the resident's requests at each stage, worked by an archivist of the
    # district's archive who also works the street's (asked to help with one of them).
    archives = archive_stages(session, upload_store(), users["resident"], now=now)
    users["archivist"] = archives.world.archivist
    item = session.scalars(select(CatalogueItem).order_by(CatalogueItem.id)).first()
    worker = users["grid_worker"]
    values = {
        "place_id": tree.grid.id,
        "district_id": tree.district.id,
        "parent_id": tree.community.id,
        "building_id": tree.building.id,
        "user_id": worker.id,
        "grant_id": worker.grants[0].id,
        "filename": "css/portal.css",
        "code": [tree.building.public_code, tree.community.code],
        "tracking": [in_hand.tracking, new.tracking, done.tracking, waiting.tracking],
        "name": "0" * 32 + ".jpg",
        "group_id": item.group_id,
        "item_id": item.id,
        "unit_id": unit.id,
        "year": 2027,
        "message_id": session.scalars(select(SmsMessage.id)).first(),
        "sms_key": session.scalars(select(SmsMessage.idempotency_key)).first(),
        "entry_id": session.scalars(select(BlockedPhone.id)).first(),
        "summons_id": summons.id,
        "action": "accept",
        "reference": [
            request.reference,
            booking.reference,
            *(each.reference for each in consultations),
            consultation.reference,
            legal_faqs.unproposed,
        ],
        "schedule_id": [schedule.id, legal.id],
        "host_id": users["secretary"].id,
        "closure_id": closure.id,
        "community_id": tree.community.id,
        "token": [feed_token, legal_faqs.token],
        "relative_id": relative.id,
        "activity_id": [activity.id, under_way.id],
        "sign_up_id": sign_up.id,
        "elder_id": elder.id,
        "request_id": help_request.id,
        "member_id": member.id,
        "volunteer_id": applied.id,
        "kind_id": session.scalars(select(ServiceKind.id).order_by(ServiceKind.id)).first(),
        "rule_id": points_rule.id,
        "award_id": [each.id for each in proposed],
        "objection_id": objection.id,
        "community_code": tree.community.code,
        "reward_id": [reward.id, *(each.id for each in rewards)],
        "order_id": shop_order.id,
        "topic_id": session.scalars(select(LegalTopic.id).order_by(LegalTopic.id)).first(),
        "snippet_id": snippet.id,
        "faq_id": legal_faqs.faq_ids,
    }
    return World(
        users,
        waiting.tracking,
        {
            name: [str(each) for each in (value if isinstance(value, list) else [value])]
            for name, value in values.items()
        },
        {"/archives": archives.url_values()},
    )


@dataclass
class Browser:
    """A role's signed-in session cookie and the CSRF token that goes with it."""

    cookie: str | None
    token: str


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(client, url: str) -> str:
    return _TOKEN.search(client.get(url, headers=HEADERS).get_data(as_text=True)).group(1)


def sign_in(app: Flask, connection: Connection, role: str, world: World) -> Browser:
    """Sign `role` in through the portal's own forms, as a browser would."""
    client = app.test_client()
    user = world.users.get(role)
    if role == "signing_in":
        token = _token(client, "/sign-in")
        client.post("/sign-in", data={"phone": "13800138000", "csrf_token": token})
    elif role == "reporter":
        # What sending a report leaves in the session (appeals/views/resident.py).
        with client.session_transaction() as browser_session:
            browser_session["appeal_pending"] = world.unconfirmed_tracking
    elif role == "resident":
        client.post(
            "/sign-in",
            data={"phone": user.phone, "csrf_token": _token(client, "/sign-in")},
            headers=HEADERS,
        )
        with Session(bind=connection) as session:
            code = Outbox(session).code(user.phone)
        token = _token(client, "/sign-in/code")
        client.post("/sign-in/code", data={"code": code, "csrf_token": token}, headers=HEADERS)
    elif role != "anonymous":
        data = {"phone": user.phone, "password": factories.PASSWORD}
        data["csrf_token"] = _token(client, "/staff/sign-in")
        response = client.post("/staff/sign-in", data=data, headers=HEADERS)
        assert response.status_code == 302, (role, response.status_code)
    token = _token(client, "/account" if user else "/sign-in")
    cookie = client.get_cookie(COOKIE)
    return Browser(cookie.value if cookie else None, token)


# -- Finding what every route takes ----------------------------------------------------------


def route_keys(app: Flask) -> list[str]:
    """`rule METHOD` for every rule and method the app answers (HEAD and OPTIONS aside)."""
    return sorted(
        f"{rule.rule} {method}"
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}
    )


class Targets:
    """Per route, the targets found: each role's URL and the fields its pages offered."""

    def __init__(self, app: Flask) -> None:
        self.adapter = app.url_map.bind("localhost")
        self.found: dict[tuple[str, str, str, tuple], dict[str, hostile.Field]] = {}

    def add(self, role: str, method: str, url: str, fields: list[hostile.Field]) -> None:
        path, linked = hostile.query_fields(url)
        try:
            rule, args = self.adapter.match(path, method=method, return_rule=True)
        except (HTTPException, RequestRedirect):
            return  # A link elsewhere, or to a method the rule does not take.
        key = (role, method, rule.rule, tuple(sorted((k, str(v)) for k, v in args.items())))
        known = self.found.setdefault(key, {})
        for each in [*linked, *fields]:
            known.setdefault(each.name, each)

    def for_route(self, route: str) -> list[hostile.Target]:
        rule, method = route.rsplit(" ", 1)
        return [
            hostile.Target(role, method, rule, args, tuple(fields.values()))
            for (role, found_method, found_rule, args), fields in sorted(self.found.items())
            if (found_rule, found_method) == (rule, method)
        ]


def urls(rule: str, values: dict[str, list[str]]) -> list[str]:
    """The URLs of `rule` made of every combination of the world's values (none when the
    world has no value for one of its arguments: targets_for then says which to add)."""
    names = hostile.arguments(rule)
    if any(name not in values for name in names):
        return []
    return [
        hostile.fill(rule, dict(zip(names, chosen, strict=True)))
        for chosen in itertools.product(*(values[name] for name in names))
    ]


def discover(
    app: Flask,
    browsers: dict[str, Browser],
    values: dict[str, list[str]],
    scoped: dict[str, dict[str, list[str]]],
) -> Targets:
    """Open every GET route as every role; keep what answers, and the forms and links of
    every page, as targets."""
    targets = Targets(app)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())]
    for role, browser in browsers.items():
        client = app.test_client()
        # Every GET route, then once more each GET form as sent unchanged: a form of several
        # screens (the report) shows the form it posts on its second.
        pages = [
            url for rule in rules for url in urls(rule.rule, values_for(rule.rule, values, scoped))
        ]
        for depth in (0, 1):
            submitted = []
            for url in pages:
                if browser.cookie:
                    client.set_cookie(COOKIE, browser.cookie)
                with client.get(url, headers=HEADERS) as response:
                    body = response.get_data()
                if response.status_code != 200:
                    continue
                targets.add(role, "GET", url, [])
                if response.mimetype != "text/html":
                    continue
                page = hostile.read_page(url, body.decode())
                for method, action, fields in page.forms:
                    targets.add(role, method, action, fields)
                    if method == "GET" and depth == 0:
                        submitted.append(hostile.as_sent(action, fields))
                for link in page.links:
                    if "?" in link:
                        targets.add(role, "GET", link, [])
            pages = sorted(set(submitted))
    return targets


# -- Sending -------------------------------------------------------------------------------


class Failures(logging.Handler):
    """Log records of a request that show something went wrong: errors, and tracebacks at
    any level."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@dataclass
class Fuzzer:
    """Sends the fuzzer's requests as the world's browsers, one transaction each, and fails
    on what should never happen."""

    app: Flask
    # The app as a server with the SMS gateway is set up: it alone serves the gateway's
    # delivery receipts (as tests/test_routes.py says, no one app serves every route).
    gateway_app: Flask
    connection: Connection
    browsers: dict[str, Browser]
    targets: Targets
    values: dict[str, list[str]]
    reach: Reach
    failures: Failures
    scoped: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def targets_for(self, route: str) -> list[hostile.Target]:
        """What to fuzz at `route`: the targets found, or else every role at the route's URL
        made of the world's values (a route no page links to, such as a POST-only action)."""
        found = self.targets.for_route(route)
        if found:
            return found
        if route in MACHINE_TARGETS:
            return [MACHINE_TARGETS[route](self.values)]
        rule, method = route.rsplit(" ", 1)
        values = values_for(rule, self.values, self.scoped)
        missing = [name for name in hostile.arguments(rule) if name not in values]
        assert not missing, f"add a value for {missing} to make_world in {__file__}"
        args = tuple((name, values[name][0]) for name in hostile.arguments(rule))
        every_role = [hostile.Target(role, method, rule, args) for role in ROLES]
        # The roles whose plain request (a session and a token, nothing more) reaches a form.
        reaching = [
            target
            for target in every_role
            if self.open(hostile.Request(target.role, method, target.url)) and self.reach.seen
        ]
        return reaching or every_role

    def send(self, route: str, request: hostile.Request, *, counted: bool = True) -> None:
        """Send `request`; fail on a 5xx or a logged error, raising the logged exception
        itself so that each distinct bug shows as its own. A request not `counted` is left
        out of the share that reached a form (a pinned one, hostile where it once failed)."""
        status = self.open(request)
        if counted:
            self.reach.count(route, request.role)
        for record in self.failures.records:
            error = record.exc_info[1] if record.exc_info else None
            if error is None:
                error = AssertionError(f"logged {record.getMessage()!r}")
            note_finding(self.connection.dialect.name, route, request, error)
            error.add_note(f"{status} for {request}")
            raise error
        if status >= 500:
            error = AssertionError(f"{status} without a logged error")
            note_finding(self.connection.dialect.name, route, request, error)
            raise error

    def with_world_values(self, request: hostile.Request) -> hostile.Request:
        """`request` with a URL argument written as in its rule (a pinned example's
        `/t/<tracking>`), or a field's whole value written so (`<sms_key>`), filled in with
        the world's value: ids and codes differ from run to run. What the fuzzer generates
        has none: it percent-encodes the arguments it sends."""
        own = values_for(request.url, self.values, self.scoped)
        world = {name: values[0] for name, values in own.items()}

        def filled(value):
            if isinstance(value, str) and value[1:-1] in world and value == f"<{value[1:-1]}>":
                return world[value[1:-1]]
            return value

        fields = tuple((name, filled(value)) for name, value in request.fields)
        return replace(request, url=hostile.fill(request.url, world), fields=fields)

    def open(self, request: hostile.Request) -> int:
        """Send `request` in a transaction rolled back afterwards; its status (what it logged
        is in self.failures, whether it reached a form in self.reach)."""
        request = self.with_world_values(request)
        app = self.gateway_app if request.role == "gateway" else self.app
        client = app.test_client()
        forget_counters(app)
        self.failures.records.clear()
        self.reach.start()
        transaction = self.connection.begin()
        try:
            if request.role == "gateway":
                response = client.post(request.url, **signed_json(request.fields))
            else:
                response = self._as_browser(client, request)
            with response:
                response.get_data()
        finally:
            transaction.rollback()
        return response.status_code

    def _as_browser(self, client, request: hostile.Request):
        browser = self.browsers[request.role]
        if browser.cookie:
            client.set_cookie(COOKIE, browser.cookie)
        fields = MultiDict(
            [
                (name, value.as_upload() if isinstance(value, hostile.BadFile) else value)
                for name, value in request.fields
            ]
        )
        if request.method == "GET":
            return client.get(request.url, query_string=fields, headers=HEADERS)
        if "csrf_token" not in fields:
            fields.add("csrf_token", browser.token)
        return client.open(request.url, method=request.method, data=fields, headers=HEADERS)


# -- Routes that machines call ---------------------------------------------------------------

# The gateway's settings: those tests/test_routes.py makes the receipts route with.
GATEWAY_SETTINGS = ROUTE_CONFIGURATIONS["http provider, receipts"]


def signed_json(fields: tuple[tuple[str, str | hostile.BadFile], ...]) -> dict:
    """A JSON body of the fields (the last of a repeated one; a file becomes a list, a wrong
    type) signed as the SMS gateway signs it."""
    body = json.dumps(
        {
            name: [value.name] if isinstance(value, hostile.BadFile) else value
            for name, value in fields
        },
        ensure_ascii=False,
    ).encode()
    signature = signing.sign(GATEWAY_SETTINGS["SMS_GATEWAY_SECRET"], body, int(time.time()))
    return {
        "data": body,
        "content_type": "application/json",
        "headers": {signing.HEADER: signature},
    }


def receipt_target(values: dict[str, list[str]]) -> hostile.Target:
    """A delivery receipt for a message the portal sent, as the gateway posts it."""
    fields = (
        hostile.Field("idempotency_key", "text", values["sms_key"][0]),
        hostile.Field("status", "choice", "delivered", ("delivered", "undeliverable")),
        hostile.Field("message_id", "text", "gw-1"),
        hostile.Field("error", "text", ""),
    )
    return hostile.Target("gateway", "POST", "/sms/receipts", (), fields)


# Routes that no page shows and only a machine calls: what it sends. Pages people use need
# nothing here; their forms are found on the pages.
MACHINE_TARGETS = {"/sms/receipts POST": receipt_target}


def note_finding(database: str, route: str, request: hostile.Request, error: BaseException) -> None:
    """With FUZZ_FINDINGS=path, add a failure not seen before to that Markdown list (for
    whoever fixes them while the suite stops at each route's first)."""
    path = os.environ.get("FUZZ_FINDINGS")
    if not path:
        return
    line = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    portal_frames = [
        frame for frame in traceback.extract_tb(error.__traceback__) if "/portal/" in frame.filename
    ]
    if portal_frames:
        where = portal_frames[-1]
        line += f" (at {where.filename.rsplit('/portal/', 1)[1]}:{where.lineno})"
    seen = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
    found = f"- {database}: `{route}` — `{line}`"
    if found in seen:
        return
    with open(path, "a", encoding="utf-8") as findings:
        findings.write(f"{found} — as {request.role}:\n  `{request!r}`\n")


REPORT = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    # Printed after the run: while tests run, pytest captures what fixtures write.
    if REPORT in config.stash:
        terminalreporter.write_sep("-", "requests that reached form validation, per route")
        terminalreporter.write_line(config.stash[REPORT])


@pytest.fixture(scope="module")
def fuzzer(database: Database, request: pytest.FixtureRequest) -> Iterator[Fuzzer]:
    url = database.new_url()
    engine = migrated_engine(url)
    connection = engine.connect()
    app = make_test_app(url, WTF_CSRF_ENABLED=True)
    gateway_app = make_test_app(url, WTF_CSRF_ENABLED=True, **GATEWAY_SETTINGS)
    for each in (app, gateway_app):
        each.extensions["portal.db"].session.session_factory.configure(
            bind=connection, join_transaction_mode="create_savepoint"
        )
    failures = Failures()
    logging.getLogger().addHandler(failures)
    try:
        with (
            app.test_request_context(),
            Session(bind=connection, expire_on_commit=False) as session,
        ):
            world = make_world(session)
            session.commit()
        browsers = {role: sign_in(app, connection, role, world) for role in ROLES}
        made = Fuzzer(
            app,
            gateway_app,
            connection,
            browsers,
            discover(app, browsers, world.url_values, world.scoped_values),
            world.url_values,
            Reach(),
            failures,
            world.scoped_values,
        )
        with made.reach.watching():
            yield made
        if os.environ.get("FUZZ_REPORT"):
            request.config.stash[REPORT] = made.reach.report()
    finally:
        logging.getLogger().removeHandler(failures)
        connection.close()
        dispose(app)
        dispose(gateway_app)
        engine.dispose()
