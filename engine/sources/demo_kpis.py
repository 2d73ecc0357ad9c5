"""KPI aggregates over the demo shop's tables: one indexed range scan per table, no rows loaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from engine.demo import tables
from engine.model import ChurnCounts, WindowCounts


def _between(column: sa.Column[datetime], start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(column >= start, column < end)


def _total(column: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(column), 0)


def _share(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return _total(sa.case((condition, 1), else_=0))


def window_statements(start: datetime, end: datetime) -> dict[str, sa.Select[*tuple[Any, ...]]]:
    """The aggregate queries of a KPI window, by table (exposed so tests can read their plans)."""
    s, c, o = tables.sessions, tables.carts, tables.orders
    p, e = tables.payments, tables.errors
    return {
        "sessions": sa.select(sa.func.count()).where(_between(s.c.started_at, start, end)),
        "carts": sa.select(sa.func.count(), _share(c.c.status == "abandoned")).where(
            _between(c.c.ended_at, start, end)
        ),
        "orders": sa.select(sa.func.count(), _total(o.c.total), _total(o.c.discount)).where(
            _between(o.c.placed_at, start, end), o.c.status == "paid"
        ),
        "refunds": sa.select(_total(o.c.refund_amount)).where(
            _between(o.c.refunded_at, start, end)
        ),
        "payments": sa.select(sa.func.count(), _share(p.c.status == "failed")).where(
            _between(p.c.attempted_at, start, end)
        ),
        "errors": sa.select(sa.func.count()).where(_between(e.c.at, start, end)),
    }


def window_counts(connection: sa.Connection, start: datetime, end: datetime) -> WindowCounts:
    """Aggregates of [start, end)."""
    results = {
        name: connection.execute(statement).one()
        for name, statement in window_statements(start, end).items()
    }
    orders, carts, payments = results["orders"], results["carts"], results["payments"]
    return WindowCounts(
        start=start,
        end=end,
        revenue=int(orders[1]),
        refunds=int(results["refunds"][0]),
        discounts=int(orders[2]),
        orders=int(orders[0]),
        sessions=int(results["sessions"][0]),
        carts=int(carts[0]),
        abandoned_carts=int(carts[1]),
        payment_attempts=int(payments[0]),
        payment_failures=int(payments[1]),
        errors=int(results["errors"][0]),
    )


def churn_statements(start: datetime, end: datetime) -> dict[str, sa.Select[*tuple[Any, ...]]]:
    """Counts for churn; active at `start` = started before it minus cancelled before it."""
    subs = tables.subscriptions
    return {
        "started_before": sa.select(sa.func.count()).where(subs.c.started_at < start),
        "cancelled_before": sa.select(sa.func.count()).where(subs.c.cancelled_at < start),
        "cancelled": sa.select(sa.func.count()).where(_between(subs.c.cancelled_at, start, end)),
    }


def churn_counts(connection: sa.Connection, start: datetime, end: datetime) -> ChurnCounts:
    """Subscription churn over [start, end)."""
    counts = {
        name: int(connection.execute(statement).scalar_one())
        for name, statement in churn_statements(start, end).items()
    }
    return ChurnCounts(
        start=start,
        end=end,
        active_at_start=counts["started_before"] - counts["cancelled_before"],
        cancelled=counts["cancelled"],
    )
