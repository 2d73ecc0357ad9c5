"""Subscriptions in a simulated hour: cancellations, renewals and new subscribers."""

from __future__ import annotations

import numpy as np

from engine.demo import tables
from engine.demo.book import Subscription, SubscriptionBook
from engine.demo.buffer import Row, stamp
from engine.demo.orders import charge_invoices
from engine.demo.world import Context

HOUR = 3600


def run_subscriptions(ctx: Context, hour: int, book: SubscriptionBook) -> None:
    """Cancellations at the hour's hazard, renewals due this hour, and new subscribers."""
    rng, start = ctx.rng, hour * HOUR
    active = book.ids()
    leaving = ctx.draws.pick(len(active), ctx.rates.churn_hazard)
    for index in np.flatnonzero(leaving).tolist():
        ctx.rows.cancel(active[index], stamp(start + int(rng.integers(0, HOUR))))
        book.remove(active[index])
    due = book.due(hour)
    offsets = rng.integers(0, HOUR, len(due)).tolist()
    charges = [(s, s.price, start + offset) for s, offset in zip(due, offsets, strict=True)]
    for _ in range(int(rng.poisson(ctx.rates.signups))):
        subscription = _new_subscriber(ctx, hour, book)
        at = start + int(rng.integers(0, HOUR))
        ctx.rows.add(tables.subscriptions, [subscription_row(subscription, at)])
        book.add(subscription)
        charges.append((subscription, subscription.price, at))
    charge_invoices(ctx, charges)


def _new_subscriber(ctx: Context, hour: int, book: SubscriptionBook) -> Subscription:
    world, rng = ctx.world, ctx.rng
    customer = int(rng.integers(1, world.customers + 1))
    while book.has_customer(customer):
        customer = int(rng.integers(1, world.customers + 1))
    plan, price = world.plans[int(rng.choice(len(world.plans), p=world.plan_shares))]
    return Subscription(ctx.ids.one(tables.subscriptions), customer, plan, price, hour)


def subscription_row(subscription: Subscription, at: int, action_id: str | None = None) -> Row:
    """The table row of a subscription starting at epoch second `at`."""
    return {
        "id": subscription.id,
        "customer_id": subscription.customer_id,
        "plan": subscription.plan,
        "price": subscription.price,
        "started_at": stamp(at),
        "cancelled_at": None,
        "action_id": action_id,
    }
