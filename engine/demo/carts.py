"""The hour's carts: what is in them, which are bought, and which owners come back later."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.demo import tables
from engine.demo.buffer import stamp
from engine.demo.orders import OrderDraft
from engine.demo.world import Context

HOUR = 3600
PROMO_PCT = 10
_EXTRA_ITEMS = np.array([0.5, 0.37, 0.13])  # P(0, 1, 2 more products after the first)
_PARTNER = 0.6  # the second product is the first one's usual companion this often
_TWO_BAGS = 0.2  # coffee bought two at a time this often
_RETURN_MEAN = 20 * HOUR  # unprompted returns to an abandoned cart come this long after
Contents = tuple[tuple[int, int], ...]  # (product id, quantity)


@dataclass(frozen=True, slots=True)
class Visits:
    """The hour's sessions, and which of them filled a cart (and of those, which bought)."""

    ids: list[int]
    times: np.ndarray
    customers: np.ndarray
    products: np.ndarray  # the product each session viewed
    signed_in: np.ndarray  # mask: the session shows its customer
    carted: np.ndarray  # indexes of sessions with a cart
    bought: np.ndarray  # mask over `carted`: the cart was checked out
    browsing: np.ndarray  # mask over `carted`: a low-intent visitor's, who never comes back


def write_carts(ctx: Context, visits: Visits) -> list[OrderDraft]:
    """Write the hour's carts; return the orders they lead to (now, or on a later return)."""
    count, rng, base = len(visits.carted), ctx.rng, ctx.world.truth.base
    cart_ids = ctx.ids.take(tables.carts, count)
    contents = _contents(ctx, visits.bought)
    visits.products[visits.carted] = [items[0][0] for items in contents]  # what they viewed
    created = visits.times[visits.carted] + rng.integers(60, 900, count)
    ended = created + np.where(
        visits.bought, rng.integers(120, 1200, count), rng.integers(1800, 5400, count)
    )
    returns = ctx.draws.pick_within(~visits.bought & ~visits.browsing, base.natural_return)
    returned_at = ended + np.clip(rng.exponential(_RETURN_MEAN, count), HOUR, 72 * HOUR).astype(int)
    promo = np.where(rng.random(count) < base.promo_share, PROMO_PCT, 0)
    customers = visits.customers[visits.carted].tolist()
    cart_rows, drafts = [], []
    for i, cart_id in enumerate(cart_ids):
        cart_rows.append(
            {
                "id": cart_id,
                "session_id": visits.ids[int(visits.carted[i])],
                "customer_id": customers[i],
                "created_at": stamp(int(created[i])),
                "ended_at": stamp(int(ended[i])),
                "status": "converted" if visits.bought[i] else "abandoned",
                "value": sum(ctx.world.price(p) * q for p, q in contents[i]),
                "items": [list(item) for item in contents[i]],
            }
        )
        if visits.bought[i] or returns[i]:
            at = int(ended[i] if visits.bought[i] else returned_at[i])
            drafts.append(OrderDraft(customers[i], cart_id, at, contents[i], int(promo[i])))
    ctx.rows.add(tables.carts, cart_rows)
    return drafts


def _contents(ctx: Context, bought: np.ndarray) -> list[Contents]:
    """Cart contents: a first product, maybe its companion or other products.

    Bought and abandoned carts each get a product mix in proportion to popularity (systematic
    sampling), so that an hour's revenue tracks its order count closely.
    """
    contents: list[Contents] = [()] * len(bought)
    for group in (np.flatnonzero(bought), np.flatnonzero(~bought)):
        for index, items in zip(group.tolist(), _group_contents(ctx, len(group)), strict=True):
            contents[index] = items
    return contents


def _group_contents(ctx: Context, count: int) -> list[Contents]:
    world, draws = ctx.world, ctx.draws
    firsts = world.spread_products(draws, count).tolist()
    extra = draws.spread(_EXTRA_ITEMS, count).tolist()
    use_partner = draws.pick(count, _PARTNER)
    others = world.spread_products(draws, count).tolist()
    thirds = world.spread_products(draws, count).tolist()
    two_bags = draws.pick(count, _TWO_BAGS)
    result = []
    for i, first in enumerate(firsts):
        partner = world.partners[first - 1]
        second = partner if use_partner[i] and partner else others[i]
        chosen = list(dict.fromkeys((first, second, thirds[i])[: 1 + extra[i]]))
        bags = 2 if first in world.coffee and two_bags[i] else 1
        result.append(tuple((p, bags if p == first else 1) for p in chosen))
    return result
