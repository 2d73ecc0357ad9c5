"""One simulated hour of the shop: visits, carts, orders, errors and subscriptions."""

from __future__ import annotations

import numpy as np

from engine.demo import catalog, tables
from engine.demo.book import SubscriptionBook
from engine.demo.buffer import Ids, Row, Rows, stamp
from engine.demo.carts import Visits, write_carts
from engine.demo.orders import place_orders
from engine.demo.rates import LOW_INTENT_CART_RATE, hour_rates
from engine.demo.subscribers import run_subscriptions
from engine.demo.world import Context, Draws, World

HOUR = 3600
LOGGED_IN = 0.35  # share of cartless visits made by a signed-in customer
_ERROR_SHARES = np.array([share for _, _, share in catalog.ERRORS])


def simulate_hour(world: World, hour: int, ids: Ids, rows: Rows, book: SubscriptionBook) -> None:
    """Simulate hour number `hour` since the epoch; its random numbers depend on nothing else."""
    start = hour * HOUR
    rates = hour_rates(world.truth.base, world.incident, stamp(start), world.zone)
    draws = Draws(np.random.default_rng([world.seed, hour]), hour)
    ctx = Context(world, rates, draws, ids, rows)
    visits = _visits(ctx, start)
    drafts = write_carts(ctx, visits)
    rows.add(tables.sessions, _session_rows(visits))
    place_orders(ctx, drafts)
    _errors(ctx, start)
    run_subscriptions(ctx, hour, book)


def _visits(ctx: Context, start: int) -> Visits:
    rates, draws, rng = ctx.rates, ctx.draws, ctx.rng
    organic = _traffic(rng, rates.sessions)
    low_intent = _traffic(rng, rates.low_intent_sessions)
    total = organic + low_intent
    is_low = np.zeros(total, dtype=bool)
    is_low[rng.choice(total, low_intent, replace=False)] = True
    carted_organic = np.flatnonzero(~is_low)[draws.pick(organic, rates.cart_rate)]
    carted_low = np.flatnonzero(is_low)[draws.pick(low_intent, LOW_INTENT_CART_RATE)]
    bought_organic = draws.pick(len(carted_organic), 1 - rates.abandonment)
    carted = np.concatenate([carted_organic, carted_low])
    order = np.argsort(carted, kind="stable")
    bought = np.concatenate([bought_organic, np.zeros(len(carted_low), dtype=bool)])
    browsing = np.concatenate(
        [np.zeros(len(carted_organic), dtype=bool), np.ones(len(carted_low), dtype=bool)]
    )
    signed_in = rng.random(total) < LOGGED_IN
    signed_in[carted] = True  # a cart needs an e-mail address
    return Visits(
        ids=ctx.ids.take(tables.sessions, total),
        times=np.sort(rng.integers(start, start + HOUR, total)),
        customers=rng.integers(1, ctx.world.customers + 1, total),
        products=ctx.world.random_products(rng, total),
        signed_in=signed_in,
        carted=carted[order],
        bought=bought[order],
        browsing=browsing[order],
    )


def _traffic(rng: np.random.Generator, expected: float) -> int:
    """Visitors in an hour, with half the Poisson spread.

    The `normal` scenario's day-to-day revenue noise must stay far below the 15 % drop that
    the detector alerts on.
    """
    return max(0, round(expected + 0.5 * float(np.sqrt(expected)) * float(rng.standard_normal())))


def _session_rows(visits: Visits) -> list[Row]:
    shown = visits.signed_in.tolist()
    customers = visits.customers.tolist()
    return [
        {
            "id": sid,
            "started_at": stamp(at),
            "customer_id": customers[i] if shown[i] else None,
            "product_id": product,
        }
        for i, (sid, at, product) in enumerate(
            zip(visits.ids, visits.times.tolist(), visits.products.tolist(), strict=True)
        )
    ]


def _errors(ctx: Context, start: int) -> None:
    rng = ctx.rng
    count = rng.poisson(ctx.rates.errors)
    kinds = rng.choice(len(catalog.ERRORS), count, p=_ERROR_SHARES / _ERROR_SHARES.sum())
    spikes = int(rng.poisson(ctx.rates.spike_errors))
    messages = [catalog.ERRORS[k][:2] for k in kinds.tolist()] + [catalog.SPIKE_ERROR] * spikes
    times = np.sort(rng.integers(start, start + HOUR, len(messages))).tolist()
    error_ids = ctx.ids.take(tables.errors, len(messages))
    ctx.rows.add(
        tables.errors,
        [
            {"id": eid, "at": stamp(at), "kind": kind, "message": message}
            for eid, at, (kind, message) in zip(error_ids, times, messages, strict=True)
        ],
    )
