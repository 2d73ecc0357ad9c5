"""What actions achieved, read from the shop's rows: attribution, and conversions for lift."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.demo import tables
from engine.model import ActionKind

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Attribution:
    """Rows attributed to one action, placed before a moment."""

    delivered: int  # targets recorded as delivered
    orders: int  # paid orders
    revenue: int  # minor units, paid order totals
    discounts: int  # minor units given on those orders
    recovered_payments: int  # retries that went through
    recovered_amount: int  # minor units
    subscriptions: int  # subscriptions started


def _total(column: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(column), 0)


def attribution(connection: sa.Connection, action_id: str, until: datetime) -> Attribution:
    """What the shop attributes to `action_id` before `until`."""
    o, p, s, d = tables.orders, tables.payments, tables.subscriptions, tables.deliveries
    orders = connection.execute(
        sa.select(sa.func.count(), _total(o.c.total), _total(o.c.discount)).where(
            o.c.action_id == action_id, o.c.status == "paid", o.c.placed_at < until
        )
    ).one()
    retry = p.alias("retry")
    retries = connection.execute(
        sa.select(sa.func.count(), _total(p.c.amount))
        .select_from(d)
        .join(p, p.c.id == d.c.ref_id)
        .join(retry, retry.c.id == p.c.recovered_by_payment_id)
        .where(
            d.c.action_id == action_id,
            d.c.kind == ActionKind.PAYMENT_RETRY.value,
            retry.c.action_id == action_id,
            retry.c.attempted_at < until,
        )
    ).one()
    subscriptions = connection.execute(
        sa.select(sa.func.count()).where(s.c.action_id == action_id, s.c.started_at < until)
    ).scalar_one()
    delivered = connection.execute(
        sa.select(sa.func.count()).where(d.c.action_id == action_id)
    ).scalar_one()
    return Attribution(
        delivered=delivered,
        orders=orders[0],
        revenue=orders[1],
        discounts=orders[2],
        recovered_payments=retries[0],
        recovered_amount=retries[1],
        subscriptions=subscriptions,
    )


def conversions(
    connection: sa.Connection,
    kind: ActionKind,
    refs: Sequence[str],
    since: datetime,
    until: datetime,
    *,
    products: Sequence[str] = (),
) -> dict[str, int]:
    """Refs (cart, payment or customer ids) that converted in [since, until), by any means.

    Compare delivered targets with held-out ones to measure an action's lift. With `products`
    (an offer's), a customer's conversion is what those products earned in their paid orders;
    a referral's is the paid orders of the friends the customer referred.
    """
    found: dict[str, int] = {}
    numbers = sorted({int(ref) for ref in refs if ref.isdigit()})
    offered = sorted({int(p) for p in products if p.isdigit()})
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        query = _conversion_query(kind, chunk, since, until, offered)
        for row in connection.execute(query):
            found[str(row[0])] = int(row[1])
    return found


def _conversion_query(
    kind: ActionKind, refs: list[int], since: datetime, until: datetime, products: list[int]
) -> sa.Select[*tuple[Any, ...]]:
    o, p, s = tables.orders, tables.payments, tables.subscriptions
    if kind == ActionKind.REFERRAL_INCENTIVE:
        return _paid_orders(o.c.referred_by, refs, since, until)
    if products:
        return _offered_sales(refs, since, until, products)
    if kind == ActionKind.CART_RECOVERY_EMAIL:
        return _paid_orders(o.c.cart_id, refs, since, until)
    if kind == ActionKind.PAYMENT_RETRY:
        retry = p.alias("retry")
        return (
            sa.select(p.c.id, p.c.amount)
            .join(retry, retry.c.id == p.c.recovered_by_payment_id)
            .where(p.c.id.in_(refs), retry.c.attempted_at >= since, retry.c.attempted_at < until)
        )
    if kind == ActionKind.WINBACK_EMAIL:
        return (
            sa.select(s.c.customer_id, sa.func.sum(s.c.price))
            .where(s.c.customer_id.in_(refs), s.c.started_at >= since, s.c.started_at < until)
            .group_by(s.c.customer_id)
        )
    return _paid_orders(o.c.customer_id, refs, since, until)


def _offered_sales(
    refs: list[int], since: datetime, until: datetime, products: list[int]
) -> sa.Select[*tuple[Any, ...]]:
    """Per customer, what the offered products earned in paid orders (after their discount)."""
    o, i = tables.orders, tables.order_items
    return (
        sa.select(o.c.customer_id, sa.func.sum(i.c.quantity * i.c.unit_price - i.c.discount))
        .join(i, i.c.order_id == o.c.id)
        .where(
            o.c.customer_id.in_(refs),
            o.c.status == "paid",
            o.c.placed_at >= since,
            o.c.placed_at < until,
            i.c.product_id.in_(products),
        )
        .group_by(o.c.customer_id)
    )


def _paid_orders(
    column: sa.Column[int], refs: list[int], since: datetime, until: datetime
) -> sa.Select[*tuple[Any, ...]]:
    o = tables.orders
    return (
        sa.select(column, sa.func.sum(o.c.total))
        .where(
            column.in_(refs), o.c.status == "paid", o.c.placed_at >= since, o.c.placed_at < until
        )
        .group_by(column)
    )
