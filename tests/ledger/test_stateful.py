"""The ledger under random use: banking with caps, gifts, donations, spending, caps changed,
causes posted twice and transfers undone, in any order; and grid points awarded at once or after
review and public notice, undone, and expired at the year's end as the clock moves on. After every step the ledger adds up:
each transfer sums to zero, each kept balance is the sum of its movements, no account is below
zero (but the issuer) or over its cap, and nothing written has gone. A refused step leaves
everything as it was.

A model of the balances in plain Python says what each step should do; the database must agree.
Each example runs in a savepoint of the test's transaction, rolled back at its end.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from portal.errors import Invalid, NotFound
from portal.i18n import SHANGHAI
from portal.ledger import rules
from portal.ledger import services as ledger
from portal.ledger.models import AccountKind, LedgerAccount, LedgerMovement, LedgerTransfer, Unit
from portal.ledger.rules import (
    AlreadyPosted,
    AlreadyReversed,
    Insufficient,
    InvalidTransfer,
    LedgerError,
    NotReversible,
    OverCap,
)
from portal.permissions import SYSTEM
from portal.points import accounts, awards, expiry, notice, orders
from portal.points.models import (
    AwardState,
    OrderState,
    PointsAward,
    PointsTally,
    Reward,
    RewardOrder,
)
from portal.points.settings import PointsSettings
from portal.points.tallies import periods_of
from tests import factories
from tests.conftest import IN_CI
from tests.ledger.conftest import NOW
from tests.points.shop_world import SETTINGS as SHOP_SETTINGS
from tests.points.shop_world import reward as shop_reward
from tests.points.world import make_world
from tests.points.world import rule as points_rule

PEOPLE = 3
CAPS = [600, None, 300]
minutes = st.integers(min_value=1, max_value=400)
person = st.integers(min_value=0, max_value=PEOPLE - 1)
# Few causes, so that the same one comes up again.
subjects = st.sampled_from([None, "volunteering.attendance:1", "volunteering.attendance:2"])

SETTINGS = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    derandomize=IN_CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture
def owners(session, app_context):
    """A district, its community and volunteers, saved in the test's transaction."""
    tree = factories.tree(session)
    people = [factories.user(session) for _ in range(PEOPLE)]
    session.commit()
    return tree, people


def test_the_ledger_adds_up_whatever_is_done(session, owners):
    tree, people = owners

    class Books(RuleBasedStateMachine):
        transfers = Bundle("transfers")

        @initialize()
        def open_accounts(self):
            self.issuer = ledger.account(
                session, Unit.MINUTES, AccountKind.ISSUER, place=tree.district
            )
            self.pool = ledger.account(
                session, Unit.MINUTES, AccountKind.POOL, place=tree.community
            )
            self.people = [
                ledger.account(session, Unit.MINUTES, AccountKind.PERSON, user=user, cap=cap)
                for user, cap in zip(people, CAPS, strict=True)
            ]
            self.points = ledger.account(session, Unit.POINTS, AccountKind.PERSON, user=people[0])
            # The model: balances and caps by account id, what was posted and undone.
            self.balances = {held.id: 0 for held in self.accounts}
            self.caps = {held.id: held.cap for held in self.accounts}
            self.causes: set[tuple[str, str]] = set()
            self.undone: set[int] = set()
            self.legs: dict[int, dict[int, int]] = {}
            self.seen = (0, 0)
            self.rows_seen: set[tuple] = set()

        @property
        def accounts(self) -> list[LedgerAccount]:
            return [self.issuer, self.pool, *self.people, self.points]

        # --- what the model expects ----------------------------------------------------------

        def expected_refusal(self, legs: dict[int, int]) -> type[LedgerError] | None:
            after = {
                account_id: self.balances[account_id] + amount
                for account_id, amount in legs.items()
            }
            if any(
                balance < 0 and account_id != self.issuer.id
                for account_id, balance in after.items()
            ):
                return Insufficient
            if any(self.caps[i] is not None and after[i] > self.caps[i] for i in after):
                return OverCap
            return None

        def snapshot(self):
            balances = dict(session.execute(select(LedgerAccount.id, LedgerAccount.balance)).all())
            caps = dict(session.execute(select(LedgerAccount.id, LedgerAccount.cap)).all())
            return balances, caps, self.counts()

        def counts(self) -> tuple[int, int]:
            return (
                session.scalar(select(func.count(LedgerTransfer.id))),
                session.scalar(select(func.count(LedgerMovement.id))),
            )

        def attempt(self, refusal, action):
            """Run `action`; it must be refused with `refusal` (leaving all as it was) or not."""
            before = self.snapshot()
            if refusal is None:
                return action()
            with pytest.raises(refusal):
                action()
            assert self.snapshot() == before
            return None

        def post(self, kind: str, legs: dict[int, int], subject: str | None = None):
            refusal = AlreadyPosted if subject and (kind, subject) in self.causes else None
            refusal = refusal or self.expected_refusal(legs)
            by_id = {held.id: held for held in self.accounts}
            transfer = self.attempt(
                refusal,
                lambda: ledger.post(
                    session,
                    SYSTEM,
                    unit=Unit.MINUTES,
                    kind=kind,
                    legs=[(by_id[i], amount) for i, amount in legs.items()],
                    subject=subject,
                    now=NOW,
                ),
            )
            if transfer is None:
                return None
            for account_id, amount in legs.items():
                self.balances[account_id] += amount
            if subject:
                self.causes.add((kind, subject))
            self.legs[transfer.id] = legs
            return transfer.id

        # --- rules ---------------------------------------------------------------------------

        @rule(target=transfers, who=person, amount=minutes, subject=subjects)
        def bank_with_the_overflow_to_the_pool(self, who, amount, subject):
            held = self.people[who]
            fits, over = rules.split_at_cap(amount, self.balances[held.id], self.caps[held.id])
            legs = {self.issuer.id: -amount}
            if fits:
                legs[held.id] = fits
            if over:
                legs[self.pool.id] = over
            return self.post("hours.banked", legs, subject)

        @rule(target=transfers, who=person, amount=minutes)
        def bank_without_looking_at_the_cap(self, who, amount):
            return self.post("hours.banked", {self.issuer.id: -amount, self.people[who].id: amount})

        @rule(target=transfers, giver=person, taker=person, amount=minutes)
        def give(self, giver, taker, amount):
            if giver == taker:
                held = self.people[giver]
                self.attempt(
                    InvalidTransfer,
                    lambda: ledger.post(
                        session, SYSTEM, unit=Unit.MINUTES, kind="hours.given",
                        legs=[(held, -amount), (held, amount)], now=NOW,
                    ),
                )  # fmt: skip
                return None
            legs = {self.people[giver].id: -amount, self.people[taker].id: amount}
            return self.post("hours.given", legs)

        @rule(target=transfers, who=person, amount=minutes)
        def donate(self, who, amount):
            return self.post("hours.donated", {self.people[who].id: -amount, self.pool.id: amount})

        @rule(target=transfers, who=person, amount=minutes)
        def spend_from_the_pool(self, who, amount):
            return self.post("hours.spent", {self.pool.id: -amount, self.people[who].id: amount})

        @rule(who=person, amount=minutes)
        def mix_hours_and_points(self, who, amount):
            self.attempt(
                InvalidTransfer,
                lambda: ledger.post(
                    session, SYSTEM, unit=Unit.MINUTES, kind="hours.given",
                    legs=[(self.people[who], -amount), (self.points, amount)], now=NOW,
                ),
            )  # fmt: skip

        @rule(who=person, cap=st.none() | st.integers(min_value=0, max_value=700))
        def change_a_cap(self, who, cap):
            held = self.people[who]
            refusal = OverCap if cap is not None and self.balances[held.id] > cap else None
            self.attempt(refusal, lambda: ledger.set_cap(session, held, cap))
            if refusal is None:
                self.caps[held.id] = cap

        @rule(transfer_id=transfers)
        def undo(self, transfer_id):
            if transfer_id is None:
                return
            transfer = session.get(LedgerTransfer, transfer_id)
            legs = {account_id: -amount for account_id, amount in self.legs[transfer_id].items()}
            if transfer.reverses_id is not None:
                refusal = NotReversible
            elif transfer_id in self.undone:
                refusal = AlreadyReversed
            else:
                refusal = self.expected_refusal(legs)
            undone = self.attempt(
                refusal,
                lambda: ledger.reverse(session, SYSTEM, transfer, reason="A mistake", now=NOW),
            )
            if undone is not None:
                self.undone.add(transfer_id)
                self.legs[undone.id] = legs
                for account_id, amount in legs.items():
                    self.balances[account_id] += amount

        # --- what always holds ---------------------------------------------------------------

        @invariant()
        def the_ledger_adds_up(self):
            if not hasattr(self, "issuer"):
                return
            assert ledger.unbalanced_transfers(session) == []
            assert ledger.mismatches(session) == []
            kept = dict(session.execute(select(LedgerAccount.id, LedgerAccount.balance)).all())
            assert kept == self.balances
            for held in session.scalars(select(LedgerAccount)):
                assert held.balance >= 0 or held.kind is AccountKind.ISSUER
                assert held.cap is None or held.balance <= held.cap
            counts = self.counts()
            assert counts[0] >= self.seen[0] and counts[1] >= self.seen[1]
            assert counts[0] == len(self.legs)
            self.seen = counts
            # Every movement ever seen is still there, unchanged: counting alone would miss a
            # delete followed by an insert.
            rows = set(
                session.execute(
                    select(
                        LedgerMovement.id,
                        LedgerMovement.transfer_id,
                        LedgerMovement.account_id,
                        LedgerMovement.amount,
                        LedgerMovement.balance_after,
                    )
                ).all()
            )
            assert rows >= self.rows_seen
            self.rows_seen = rows

        def teardown(self):
            session.rollback()

    run_state_machine_as_test(Books, settings=SETTINGS)


# --- grid points -------------------------------------------------------------------------------

# Whole days and hours the clock moves on by: from early December, past the year's end.
hours = st.integers(min_value=1, max_value=24 * 16)
resident = st.integers(min_value=0, max_value=PEOPLE - 1)
# Fewer examples than the hours' machine: each step writes awards, SMS and tallies.
POINTS_SETTINGS = settings(SETTINGS, max_examples=12, stateful_step_count=25)


@pytest.fixture
def points_world(session, app_context):
    """A district whose points lapse at the year's end, a deed credited at once and one reviewed
    and put on notice (neither with limits), its coordinators and residents."""
    world = make_world(session)
    at_once = points_rule(session, world.admin, world.tree.district, name_zh="帮扶邻里", points=7)
    reviewed = points_rule(session, world.admin, world.tree.district, name_zh="社区表彰", points=20,
                    needs_review=True)  # fmt: skip
    residents = [factories.user(session, name=f"居民{i}") for i in range(PEOPLE)]
    world.bag = shop_reward(session, world.tree.community, name_zh="环保袋", price=5, stock=3)
    session.commit()
    settings = PointsSettings(expiring_districts=frozenset({world.tree.district.code}))
    return world, at_once, reviewed, residents, settings


def test_grid_points_add_up_whatever_is_done(session, points_world):
    """Awards credited at once, awards reviewed and credited when their notice ends, awards
    undone, orders in the points shop, cancelled, handed over or lapsed, the clock moving on
    and the yearly expiry, in any order: every point on the books came out of the district's
    issuer, each person holds what the model says, the stock is what was not taken, and an
    expiry takes what was held at the year's end (or what is left of it), once."""
    world, at_once, reviewed, residents, settings = points_world
    start = NOW - timedelta(days=3)  # the first of December, in Shanghai
    year_ends = expiry.year_end(2026)

    class Points(RuleBasedStateMachine):
        credited = Bundle("credited")
        proposed = Bundle("proposed")
        ordered = Bundle("ordered")

        @initialize()
        def begin(self):
            self.now = start
            self.held = [0] * PEOPLE
            # What each held when the year ended (taken as the clock passes it), and the lowest
            # each has held since: what an expiry may take.
            self.at_year_end: list[int] | None = None
            self.kept_since: list[int] = []
            self.expired = False
            # Awards approved onto the notice: id → (person, when the notice ends).
            self.on_notice: dict[int, tuple[int, object]] = {}
            self.earned_this_year = 0
            self.undone: set[int] = set()
            # The points shop: the bag's stock, and the orders waiting: id → (person, last moment).
            self.stock = 3
            self.waiting: dict[int, tuple[int, object]] = {}
            # Everyone starts with an award, so that the shop is reached early in every run.
            for who in range(PEOPLE):
                self.award_at_once(who)

        def phone(self, who: int) -> str:
            return residents[who].phone

        def change(self, who: int, points: int) -> None:
            self.held[who] += points
            if self.at_year_end is not None:
                self.kept_since[who] = min(self.kept_since[who], self.held[who])

        def credit_model(self, who: int, points: int) -> None:
            self.change(who, points)
            if self.now < year_ends:
                self.earned_this_year += points

        # --- rules ---------------------------------------------------------------------------

        @rule(target=credited, who=resident)
        def award_at_once(self, who):
            made = awards.award_points(
                session, world.coordinator, world.tree.community, rule_id=at_once.id,
                phone=self.phone(who), reason="帮忙", now=self.now,
            )  # fmt: skip
            self.credit_model(who, 7)
            return (made.id, who)

        @rule(target=proposed, who=resident)
        def propose(self, who):
            made = awards.award_points(
                session, world.coordinator, world.tree.community, rule_id=reviewed.id,
                phone=self.phone(who), reason="表彰", now=self.now,
            )  # fmt: skip
            assert made.state is AwardState.REVIEWING and self.held == self.balances()
            return (made.id, who)

        @rule(award=proposed)
        def approve(self, award):
            award_id, who = award
            found = session.get(PointsAward, award_id)
            if found.state is not AwardState.REVIEWING:
                return
            awards.approve_award(session, world.secretary, award_id, notice_days=5, now=self.now)
            self.on_notice[award_id] = (who, self.now + timedelta(days=5))

        @rule()
        def sweep_the_notices(self):
            due = [
                award_id for award_id, (_who, ends) in self.on_notice.items() if ends <= self.now
            ]
            notice.sweep(session, self.now)
            for award_id in due:
                self.credit_model(self.on_notice.pop(award_id)[0], 20)

        @rule(award=credited)
        def undo(self, award):
            award_id, who = award
            transfer = ledger.transfer_about(
                session, accounts.AWARDED, accounts.award_subject(award_id)
            )
            if award_id in self.undone or self.held[who] < 7:
                return
            ledger.reverse(session, SYSTEM, transfer, reason="记错了", now=self.now)
            self.undone.add(award_id)
            self.change(who, -7)

        @rule(by=hours)
        def the_clock_moves_on(self, by):
            self.time_passes(by)

        def time_passes(self, by: int) -> None:
            later = self.now + timedelta(hours=by)
            if self.now < year_ends <= later:
                self.at_year_end, self.kept_since = list(self.held), list(self.held)
            self.now = later

        @rule()
        def the_year_ends(self):
            if self.now < year_ends:
                self.time_passes(int((year_ends - self.now).total_seconds() // 3600) + 1)

        @rule()
        def expire(self):
            expiry.expire(session, settings, self.now)
            # The worker expires in January only: a clock past it finds nothing to do.
            in_january = self.now.astimezone(SHANGHAI).month == 1
            if self.at_year_end is None or self.expired or not in_january:
                return
            self.expired = True
            for who in range(PEOPLE):
                self.change(who, -self.kept_since[who])

        @rule(target=ordered, who=resident)
        def order(self, who):
            if self.stock == 0 or self.held[who] < 5:
                with pytest.raises((Invalid, NotFound)):
                    orders.order(session, residents[who], world.bag.id, settings=SHOP_SETTINGS,
                                 now=self.now)  # fmt: skip
                return (0, who)
            made = orders.order(session, residents[who], world.bag.id, settings=SHOP_SETTINGS,
                                now=self.now)  # fmt: skip
            self.stock -= 1
            self.change(who, -5)
            self.waiting[made.id] = (who, made.collect_by)
            return (made.id, who)

        def refund(self, order_id: int) -> None:
            who, _last = self.waiting.pop(order_id)
            self.stock += 1
            self.change(who, 5)

        @rule(order=ordered)
        def cancel(self, order):
            order_id, who = order
            if order_id not in self.waiting:
                return
            orders.cancel(session, residents[who], order_id, now=self.now)
            self.refund(order_id)

        @rule(order=ordered)
        def hand_over(self, order):
            order_id, _who = order
            if order_id not in self.waiting:
                return
            code = session.get(RewardOrder, order_id).code
            orders.hand_over(session, world.coordinator, code, now=self.now)
            del self.waiting[order_id]

        @rule()
        def lapse(self):
            due = [order_id for order_id, (_who, last) in self.waiting.items() if last < self.now]
            assert orders.sweep_uncollected(session, self.now) == len(due)
            for order_id in due:
                self.refund(order_id)

        # --- what always holds ---------------------------------------------------------------

        def balances(self) -> list[int]:
            found = [accounts.held_account(session, user.id) for user in residents]
            return [held.balance if held else 0 for held in found]

        @invariant()
        def the_points_add_up(self):
            if not hasattr(self, "held"):
                return
            assert ledger.unbalanced_transfers(session) == []
            assert ledger.mismatches(session) == []
            assert self.balances() == self.held
            assert (
                session.scalar(select(Reward.stock).where(Reward.id == world.bag.id)) == self.stock
            )
            placed = session.scalars(
                select(RewardOrder.id).where(RewardOrder.state == OrderState.PLACED)
            ).all()
            assert sorted(placed) == sorted(self.waiting)
            issuer = accounts.issuer_account(session, world.tree.community, now=start)
            assert ledger.balance(session, issuer) == -sum(self.held)
            # Earned is earned: the year's tally never loses what an expiry or undoing took.
            _month, year = periods_of(start)
            tallied = session.scalar(
                select(func.coalesce(func.sum(PointsTally.points), 0)).where(
                    PointsTally.place_id == world.tree.community.id, PointsTally.period == year
                )
            )
            assert tallied == self.earned_this_year

        def teardown(self):
            session.rollback()

    run_state_machine_as_test(Points, settings=POINTS_SETTINGS)
