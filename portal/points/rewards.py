"""The coordinators' side of the points shop (积分超市): the rewards a community offers.

A coordinator lists a reward (goods or a service) with a price in points, a stock, an
optional limit per person, where and when it is picked up and an optional picture from the
upload store; edits it (a new price reaches new orders only: an order keeps what it paid);
adds stock; retires it and brings it back (never deletes it: orders refer to it).

Stock is taken by residents' orders at the same moment as a coordinator adds to it, so it is
only ever changed in SQL (`stock = stock + n`), never read, changed in Python and written
back. Stock coming back to a reward that had none tells the residents who asked to be told
(RewardRestocked, handled below): one SMS each, once.

Functions take a Session, the acting person, plain values and `now`; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from portal.accounts.models import User
from portal.audit import services as audit
from portal.db import insert_ignoring_conflicts_statement
from portal.errors import Invalid, NotFound, Problems
from portal.events import handles, publish
from portal.i18n import CHINESE
from portal.notifications.models import SmsMessage
from portal.notifications.services import message_values
from portal.numbers import parse_id, parse_number
from portal.permissions import Actor, Permission, require
from portal.places.models import Place, PlaceKind
from portal.points.events import RewardRestocked
from portal.points.models import (
    ABOUT_EN_MAX,
    ABOUT_ZH_MAX,
    NAME_EN_MAX,
    NAME_ZH_MAX,
    OrderState,
    RestockWish,
    Reward,
    RewardKind,
    RewardOrder,
)
from portal.uploads import services as uploads
from portal.uploads.models import Upload

RESTOCKED_SMS = "points_restocked"
# What the upload store keeps a reward's picture for, and the owner it is attached to.
PICTURE_PURPOSE = "points.reward"
OWNER_PREFIX = "points_rewards:"
# A reward costs at most this, and its stock (or one restock) is at most this: more is a
# typing mistake (盐城盐都: one point buys ¥1 of goods).
PRICE_MAX = 100_000
STOCK_MAX = 100_000
PER_PERSON_MAX = 999


@dataclass(frozen=True)
class RewardValues:
    """What a coordinator typed for a reward, checked; `stock` only when it is listed."""

    kind: RewardKind
    name_zh: str
    name_en: str
    about_zh: str
    about_en: str
    price: int
    per_person: int | None
    pickup_zh: str
    pickup_en: str
    stock: int | None = None


@dataclass(frozen=True)
class ShopLine:
    """A reward on the desk, with the orders waiting to be picked up."""

    reward: Reward
    waiting: int


def picture_owner(reward_id: int) -> str:
    return f"{OWNER_PREFIX}{reward_id}"


def _one_line(raw: Any) -> str:
    return " ".join(str(raw or "").split())


def _text(raw: Any, most: int, field: str, missing: Any, too_long: Any) -> str:
    text = _one_line(raw)
    if not text and missing is not None:
        raise Invalid(missing, field=field)
    if len(text) > most:
        raise Invalid(too_long, field=field)
    return text


def _kind(raw: Any) -> RewardKind:
    try:
        return RewardKind(str(raw or ""))
    except ValueError:
        raise Invalid(_l("Choose goods or a service."), field="kind") from None


def _price(raw: Any) -> int:
    try:
        return parse_number(raw, low=1, high=PRICE_MAX)
    except ValueError:
        raise Invalid(
            _l("The price is a whole number of points from 1 to 100,000."), field="price"
        ) from None


def _stock(raw: Any, field: str = "stock") -> int:
    try:
        return parse_number(raw, low=0, high=STOCK_MAX)
    except ValueError:
        raise Invalid(_l("The stock is a whole number from 0 to 100,000."), field=field) from None


def _per_person(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_number(raw, low=1, high=PER_PERSON_MAX)
    except ValueError:
        raise Invalid(
            _l("The limit per person is a whole number from 1 to 999, or empty for none."),
            field="per_person",
        ) from None


def check_values(
    *, kind: Any, name_zh: Any, name_en: Any, about_zh: Any = "", about_en: Any = "",
    price: Any, per_person: Any = None, pickup_zh: Any, pickup_en: Any,
    stock: Any = None, with_stock: bool = False,
) -> RewardValues:  # fmt: skip
    """The reward's values, or Invalid naming every field that is wrong at once. `with_stock`:
    a new reward's first stock is asked for too (an edit leaves stock to restocking)."""
    problems = Problems()
    values = {
        "kind": problems.check(_kind, kind),
        "name_zh": problems.check(
            _text, name_zh, NAME_ZH_MAX, "name_zh", _l("Name the reward in Chinese."),
            _l("Keep the Chinese name within 30 characters."),
        ),
        "name_en": problems.check(
            _text, name_en, NAME_EN_MAX, "name_en", _l("Name the reward in English."),
            _l("Keep the English name within 60 characters."),
        ),
        "about_zh": problems.check(
            _text, about_zh, ABOUT_ZH_MAX, "about_zh", None,
            _l("Keep the Chinese description within 200 characters."),
        ),
        "about_en": problems.check(
            _text, about_en, ABOUT_EN_MAX, "about_en", None,
            _l("Keep the English description within 400 characters."),
        ),
        "price": problems.check(_price, price),
        "per_person": problems.check(_per_person, per_person),
        "pickup_zh": problems.check(
            _text, pickup_zh, ABOUT_ZH_MAX, "pickup_zh",
            _l("Say in Chinese where and when it is picked up."),
            _l("Keep the Chinese pick-up place and hours within 200 characters."),
        ),
        "pickup_en": problems.check(
            _text, pickup_en, ABOUT_EN_MAX, "pickup_en",
            _l("Say in English where and when it is picked up."),
            _l("Keep the English pick-up place and hours within 400 characters."),
        ),
        "stock": problems.check(_stock, stock) if with_stock else None,
    }  # fmt: skip
    problems.raise_any()
    return RewardValues(**values)  # type: ignore[arg-type]


def shop_lines(session: Session, actor: Actor, community: Place) -> list[ShopLine]:
    """Every reward of `community`'s shop, listed first then retired, newest first, with how
    many of its orders wait to be picked up (one grouped query for all of them)."""
    require(actor, Permission.AWARD_POINTS, community)
    rewards = list(
        session.scalars(
            select(Reward)
            .where(Reward.community_id == community.id)
            .options(selectinload(Reward.picture))
            .order_by(Reward.retired_at.is_not(None), Reward.id.desc())
        )
    )
    if not rewards:
        return []
    waiting = dict(
        session.execute(
            select(RewardOrder.reward_id, func.count())
            .where(
                RewardOrder.reward_id.in_([reward.id for reward in rewards]),
                RewardOrder.state == OrderState.PLACED,
            )
            .group_by(RewardOrder.reward_id)
        ).all()
    )
    return [ShopLine(reward, waiting.get(reward.id, 0)) for reward in rewards]


def get_reward(session: Session, actor: Actor, reward_id: Any) -> Reward:
    """A reward, for a coordinator of its community."""
    try:
        reward = session.get(Reward, parse_id(reward_id))
    except ValueError:
        reward = None
    if reward is None:
        raise NotFound(_l("There is no such reward."))
    require(actor, Permission.AWARD_POINTS, reward.community)
    return reward


def _details(reward: Reward) -> dict[str, Any]:
    return {
        "kind": reward.kind.value, "name_zh": reward.name_zh, "name_en": reward.name_en,
        "about_zh": reward.about_zh, "about_en": reward.about_en, "price": reward.price,
        "per_person": reward.per_person, "pickup_zh": reward.pickup_zh,
        "pickup_en": reward.pickup_en, "picture": reward.picture_id,
    }  # fmt: skip


def _show_picture(session: Session, reward: Reward, picture: Upload | None) -> None:
    """Give `picture` (received just now, unattached) to the reward, letting go of the one it
    had: the store's purge takes that one."""
    if picture is None:
        return
    owner = picture_owner(reward.id)
    uploads.release(session, owner)
    if not uploads.attach(session, [picture], owner):
        raise Invalid(_l("The picture was not kept. Choose it again."), field="picture")
    reward.picture_id = picture.id


def add_reward(
    session: Session, actor: Actor, community: Place | None, values: RewardValues, *,
    picture: Upload | None = None, now: datetime,
) -> Reward:  # fmt: skip
    """List a new reward in `community`'s shop."""
    if community is None or community.kind is not PlaceKind.COMMUNITY:
        raise Invalid(_l("Choose a community."), field="community")
    require(actor, Permission.AWARD_POINTS, community)
    fields = asdict(values)
    reward = Reward(
        community_id=community.id, created_by_id=actor.id, created_at=now,
        **fields | {"stock": fields["stock"] or 0},
    )  # fmt: skip
    session.add(reward)
    session.flush()
    _show_picture(session, reward, picture)
    session.flush()
    audit.record(
        session, "points.add_reward", actor=actor, now=now, target=reward,
        details=_details(reward) | {"stock": reward.stock},
    )  # fmt: skip
    return reward


def change_reward(
    session: Session, actor: Actor, reward: Reward, values: RewardValues, *,
    picture: Upload | None = None, now: datetime,
) -> Reward:  # fmt: skip
    """New names, price, limit, pick-up or picture; orders placed already keep their price,
    and the stock is left to restocking (orders take it at this moment)."""
    require(actor, Permission.AWARD_POINTS, reward.community)
    before = _details(reward)
    for name, value in asdict(values).items():
        if name != "stock":
            setattr(reward, name, value)
    _show_picture(session, reward, picture)
    session.flush()
    audit.record(
        session, "points.change_reward", actor=actor, now=now, target=reward,
        details={"before": before, "after": _details(reward)},
    )  # fmt: skip
    return reward


def check_restock(raw: Any) -> int:
    """How many to add: a whole number from 1 to 100,000."""
    try:
        return parse_number(raw, low=1, high=STOCK_MAX)
    except ValueError:
        raise Invalid(_l("Add a whole number from 1 to 100,000."), field="amount") from None


def restock(session: Session, actor: Actor, reward: Reward, amount: Any, *, now: datetime) -> int:
    """Add `amount` to the reward's stock, in one UPDATE with orders taking it at the same
    moment (never past 100,000 in all); return the stock after. A reward that had none
    tells those waiting for it."""
    require(actor, Permission.AWARD_POINTS, reward.community)
    added = check_restock(amount)
    after = session.execute(
        update(Reward)
        .where(Reward.id == reward.id, Reward.stock <= STOCK_MAX - added)
        .values(stock=Reward.stock + added)
        .returning(Reward.stock)
        .execution_options(synchronize_session=False)
    ).scalar()
    if after is None:
        raise Invalid(_l("A reward's stock stays within 100,000."), field="amount")
    session.expire(reward, ["stock"])
    audit.record(
        session, "points.restock_reward", actor=actor, now=now, target=reward,
        details={"added": added, "stock": after},
    )  # fmt: skip
    if after == added:
        publish(session, RewardRestocked(reward_id=reward.id, now=now))
    return after


def retire_reward(
    session: Session, actor: Actor, reward: Reward, *, retired: bool, now: datetime
) -> Reward:
    """Take a reward out of the shop (its orders stay as they are, and may still be picked
    up), or bring it back; one brought back with stock tells those waiting for it."""
    require(actor, Permission.AWARD_POINTS, reward.community)
    was_retired = reward.retired_at is not None
    if retired and not was_retired:
        reward.retired_at = now
    elif not retired:
        reward.retired_at = None
    session.flush()
    audit.record(
        session, "points.retire_reward" if retired else "points.restore_reward", actor=actor,
        now=now, target=reward, details={"name_zh": reward.name_zh},
    )  # fmt: skip
    if was_retired and not retired:
        session.refresh(reward, ["stock"])
        if reward.stock > 0:
            publish(session, RewardRestocked(reward_id=reward.id, now=now))
    return reward


def reward_picture(session: Session, reward_id: int, name: str) -> Upload | None:
    """The picture called `name` if it is a reward's (anyone may see a reward in a shop)."""
    return uploads.find(session, name, picture_owner(reward_id))


def shop_link(base_url: str, community_code: str, reward_id: int) -> str:
    """Where a reward is in its community's shop, as an SMS carries it."""
    return f"{base_url.rstrip('/')}/points/shop/{community_code}#reward-{reward_id}"


@handles(RewardRestocked)
def tell_those_waiting(session: Session, event: RewardRestocked) -> None:
    """Text every resident waiting to be told that the reward is back, once each: their
    wishes are marked told in one UPDATE, and their messages queued in one batch."""
    # The event carries no settings, and the link needs the portal's address: read where the
    # handler runs (a request, the worker, the command line all have the app).
    from flask import current_app

    from portal.points.settings import PointsSettings

    reward = session.get(Reward, event.reward_id)
    if reward is None or reward.retired_at is not None:
        return  # told when it is brought back with stock
    told = session.execute(
        update(RestockWish)
        .where(RestockWish.reward_id == reward.id, RestockWish.notified_at.is_(None))
        .values(notified_at=event.now)
        .returning(RestockWish.id, RestockWish.user_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not told:
        return
    people = {
        user.id: user
        for user in session.scalars(select(User).where(User.id.in_({row[1] for row in told})))
    }
    link = shop_link(
        PointsSettings.from_config(current_app.config).base_url, reward.community.code, reward.id
    )
    messages = [
        message_values(
            phone=person.phone, kind=RESTOCKED_SMS,
            params={"reward_zh": reward.name_zh, "reward_en": reward.name_en, "url": link},
            locale=person.locale or CHINESE, key=f"points.restocked:{wish_id}", now=event.now,
            cause=f"points_restock_wishes:{wish_id}",
        )
        for wish_id, user_id in told
        if (person := people.get(user_id)) is not None and person.phone
    ]  # fmt: skip
    if messages:
        statement = insert_ignoring_conflicts_statement(
            session.get_bind().dialect.name, SmsMessage.__table__, ("idempotency_key",)
        )
        session.execute(statement, messages)
