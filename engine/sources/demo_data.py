"""Targets and product economics from the demo shop's tables, each query bounded by a LIMIT."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import tables
from engine.model import (
    AbandonedCart,
    ActionKind,
    ChurnedCustomer,
    FailedPayment,
    ProductPair,
    ProductStats,
)

_MONTH_DAYS = 30


def _delivered(kind: ActionKind, ref: sa.ColumnElement[int]) -> sa.Exists:
    d = tables.deliveries
    return sa.exists().where(d.c.kind == kind.value, d.c.ref_id == ref)


def abandoned_carts(
    connection: sa.Connection, now: datetime, names: dict[int, str], limit: int
) -> tuple[AbandonedCart, ...]:
    """Carts abandoned in the last 24 h, not bought since and not yet e-mailed; largest first."""
    c, o, cu = tables.carts, tables.orders, tables.customers
    bought = sa.exists().where(o.c.cart_id == c.c.id, o.c.placed_at < now)
    rows = connection.execute(
        sa.select(
            c.c.id,
            c.c.customer_id,
            cu.c.email,
            cu.c.name,
            c.c.value,
            c.c.ended_at,
            c.c["items"].label("contents"),
        )
        .join(cu, cu.c.id == c.c.customer_id)
        .where(
            c.c.ended_at >= now - timedelta(days=1),
            c.c.ended_at < now,
            c.c.status == "abandoned",
            ~bought,
            ~_delivered(ActionKind.CART_RECOVERY_EMAIL, c.c.id),
        )
        .order_by(c.c.value.desc(), c.c.id)
        .limit(limit)
    )
    return tuple(
        AbandonedCart(
            cart_id=str(row.id),
            customer_id=str(row.customer_id),
            email=row.email,
            value=row.value,
            abandoned_at=as_utc(row.ended_at),
            product_names=tuple(names[int(p)] for p, _ in row.contents if int(p) in names),
            name=row.name,
        )
        for row in rows
    )


def failed_payments(
    connection: sa.Connection, now: datetime, limit: int
) -> tuple[FailedPayment, ...]:
    """Declined payments of the last 72 h, not recovered and not yet retried; newest first."""
    p, cu = tables.payments, tables.customers
    rows = connection.execute(
        sa.select(p.c.id, p.c.customer_id, cu.c.email, p.c.amount, p.c.decline_code)
        .add_columns(p.c.hard_decline, p.c.attempted_at)
        .join(cu, cu.c.id == p.c.customer_id)
        .where(
            p.c.attempted_at >= now - timedelta(hours=72),
            p.c.attempted_at < now,
            p.c.status == "failed",
            p.c.recovered_by_payment_id.is_(None),
            p.c.action_id.is_(None),
            ~_delivered(ActionKind.PAYMENT_RETRY, p.c.id),
        )
        .order_by(p.c.attempted_at.desc(), p.c.id)
        .limit(limit)
    )
    return tuple(
        FailedPayment(
            payment_id=str(row.id),
            customer_id=str(row.customer_id),
            email=row.email,
            amount=row.amount,
            decline_code=row.decline_code or "generic_decline",
            hard_decline=bool(row.hard_decline),
            failed_at=as_utc(row.attempted_at),
        )
        for row in rows
    )


def churned_customers(
    connection: sa.Connection, now: datetime, history_start: datetime, limit: int
) -> tuple[ChurnedCustomer, ...]:
    """Subscribers who cancelled in the last 30 days and have not come back; newest first.

    Lifetime value: their paid orders and invoices, plus the invoices of the months they
    subscribed before the shop's recorded history starts.
    """
    churned = []
    for row in connection.execute(_churned_query(now, limit)):
        before = min(as_utc(row.cancelled_at), history_start) - as_utc(row.started_at)
        # Invoices are charged on the first day of each 30-day period.
        earlier = (before.days // _MONTH_DAYS + 1) * row.price if before > timedelta(0) else 0
        churned.append(
            ChurnedCustomer(
                customer_id=str(row.customer_id),
                email=row.email,
                lifetime_value=int(row.paid) + earlier,
                cancelled_at=as_utc(row.cancelled_at),
                name=row.name,
            )
        )
    return tuple(churned)


def _churned_query(now: datetime, limit: int) -> sa.Select[*tuple[Any, ...]]:
    s, cu, p = tables.subscriptions, tables.customers, tables.payments
    back = s.alias("back")
    returned = sa.exists().where(
        back.c.customer_id == s.c.customer_id,
        back.c.started_at < now,
        sa.or_(back.c.cancelled_at.is_(None), back.c.cancelled_at >= now),
    )
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(p.c.amount), 0))
        .where(
            p.c.customer_id == s.c.customer_id, p.c.status == "succeeded", p.c.attempted_at < now
        )
        .scalar_subquery()
        .label("paid")
    )
    since = now - timedelta(days=_MONTH_DAYS)
    return (
        sa.select(s.c.customer_id, cu.c.email, cu.c.name, s.c.price, s.c.started_at)
        .add_columns(s.c.cancelled_at, paid)
        .join(cu, cu.c.id == s.c.customer_id)
        .where(s.c.cancelled_at >= since, s.c.cancelled_at < now, ~returned)
        .order_by(s.c.cancelled_at.desc(), s.c.id)
        .limit(limit)
    )


def product_stats(connection: sa.Connection, now: datetime, days: int) -> tuple[ProductStats, ...]:
    """Views and sales economics of every product over the last `days`."""
    s, pr = tables.sessions, tables.products
    since = now - timedelta(days=days)
    viewed = connection.execute(
        sa.select(s.c.product_id, sa.func.count())
        .where(s.c.started_at >= since, s.c.started_at < now)
        .group_by(s.c.product_id)
    )
    views: dict[int, int] = dict(viewed.all())
    sales = {row.product_id: row for row in connection.execute(_sales_query(since, now))}
    stats = []
    for product in connection.execute(sa.select(pr).order_by(pr.c.id)):
        sold = sales.get(product.id)
        stats.append(
            ProductStats(
                product_id=str(product.id),
                name=product.name,
                price=product.price,
                unit_cost=product.unit_cost,
                views=int(views.get(product.id, 0)),
                units=int(sold.units) if sold else 0,
                orders=int(sold.orders) if sold else 0,
                revenue=int(sold.revenue) if sold else 0,
                discounts=int(sold.discounts) if sold else 0,
                refunds=int(sold.refunds) if sold else 0,
                refunded_units=int(sold.refunded_units) if sold else 0,
            )
        )
    return tuple(stats)


def _sales_query(since: datetime, now: datetime) -> sa.Select[*tuple[Any, ...]]:
    """Per product: units, orders, revenue after discounts, discounts and refunds until now."""
    o, i = tables.orders, tables.order_items
    refunded = sa.and_(o.c.refunded_at.is_not(None), o.c.refunded_at < now)
    return (
        sa.select(
            i.c.product_id,
            sa.func.sum(i.c.quantity).label("units"),
            sa.func.count().label("orders"),
            sa.func.sum(i.c.unit_price * i.c.quantity - i.c.discount).label("revenue"),
            sa.func.sum(i.c.discount).label("discounts"),
            sa.func.sum(sa.case((refunded, i.c.refund_amount), else_=0)).label("refunds"),
            sa.func.sum(sa.case((refunded, i.c.refunded_units), else_=0)).label("refunded_units"),
        )
        .join(o, o.c.id == i.c.order_id)
        .where(o.c.placed_at >= since, o.c.placed_at < now, o.c.status == "paid")
        .group_by(i.c.product_id)
    )


def product_pairs(
    connection: sa.Connection, now: datetime, days: int, limit: int
) -> tuple[ProductPair, ...]:
    """The pairs of products most often in the same paid order over the last `days`."""
    o, i = tables.orders, tables.order_items
    second = i.alias("second")
    together = sa.func.count().label("together")
    rows = connection.execute(
        sa.select(i.c.product_id, second.c.product_id, together)
        .join(
            second, sa.and_(second.c.order_id == i.c.order_id, second.c.product_id > i.c.product_id)
        )
        .join(o, o.c.id == i.c.order_id)
        .where(
            o.c.placed_at >= now - timedelta(days=days), o.c.placed_at < now, o.c.status == "paid"
        )
        .group_by(i.c.product_id, second.c.product_id)
        .order_by(together.desc(), i.c.product_id, second.c.product_id)
        .limit(limit)
    )
    return tuple(ProductPair(str(first), str(other), int(count)) for first, other, count in rows)


def recent_buyers(
    connection: sa.Connection, now: datetime, days: int, limit: int
) -> tuple[tuple[str, str, str], ...]:
    """(id, e-mail, name) of customers with a paid order in the last `days`, latest first."""
    o, cu = tables.orders, tables.customers
    latest = sa.func.max(o.c.placed_at).label("latest")
    rows = connection.execute(
        sa.select(o.c.customer_id, cu.c.email, cu.c.name, latest)
        .join(cu, cu.c.id == o.c.customer_id)
        .where(
            o.c.placed_at >= now - timedelta(days=days), o.c.placed_at < now, o.c.status == "paid"
        )
        .group_by(o.c.customer_id, cu.c.email, cu.c.name)
        .order_by(latest.desc(), o.c.customer_id)
        .limit(limit)
    )
    return tuple((str(row.customer_id), row.email, row.name) for row in rows)


def error_samples(
    connection: sa.Connection, now: datetime, limit: int
) -> tuple[tuple[str, int], ...]:
    """The most frequent error messages of the last 24 h, with their counts."""
    e = tables.errors
    count = sa.func.count().label("count")
    rows = connection.execute(
        sa.select(e.c.message, count)
        .where(e.c.at >= now - timedelta(days=1), e.c.at < now)
        .group_by(e.c.message)
        .order_by(count.desc(), e.c.message)
        .limit(limit)
    )
    return tuple((message, int(n)) for message, n in rows)
