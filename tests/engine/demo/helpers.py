"""Rule checks and table dumps shared by the demo shop's tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.demo import tables
from engine.model import ChurnCounts, WindowCounts
from engine.rules import Rules
from engine.sources.demo import DemoSource

RULES = Rules()
DAY = timedelta(days=1)
CRITICAL = {"revenue_drop", "error_spike"}
# The scenario each incident is meant to trip.
SCENARIO_RULE = {
    "revenue_drop": "revenue_drop",
    "payment_failures": "payment_failures",
    "cart_abandonment": "abandoned_carts",
    "churn_spike": "high_churn",
    "error_spike": "error_spike",
}


def metrics(current: WindowCounts, previous: WindowCounts, churn: ChurnCounts) -> dict[str, float]:
    """The rates the default rules look at, in percent (computed here, not by engine.kpis)."""
    return {
        "revenue_drop": 100 * (1 - current.revenue / previous.revenue),
        "payment_success": 100 * (1 - current.payment_failures / current.payment_attempts),
        "abandonment": 100 * current.abandoned_carts / current.carts,
        "churn": 100 * churn.cancelled / churn.active_at_start,
        "errors": float(current.errors),
        "conversion": 100 * current.orders / current.sessions,
    }


def fired(source: DemoSource, now: datetime) -> tuple[set[str], dict[str, float]]:
    """The default rules that fire for the 24 h window ending at `now`, and the metrics."""
    current = source.window(now - DAY, now)
    previous = source.window(now - 2 * DAY, now - DAY)
    churn = source.churn(now - 30 * DAY, now)
    m = metrics(current, previous, churn)
    rules = {
        "revenue_drop": m["revenue_drop"] > RULES.revenue_drop_pct,
        "payment_failures": current.payment_attempts >= RULES.min_payment_attempts
        and m["payment_success"] < RULES.payment_success_min_pct,
        "abandoned_carts": current.abandoned_carts > RULES.abandoned_carts_min
        and m["abandonment"] > RULES.abandonment_rate_max_pct,
        "high_churn": m["churn"] > RULES.high_churn_pct,
        "error_spike": current.errors > RULES.error_spike_count,
        "low_conversion": current.sessions >= RULES.min_sessions
        and m["conversion"] < RULES.low_conversion_pct,
    }
    return {name for name, fires in rules.items() if fires}, m


def dump(engine: sa.Engine) -> dict[str, list[Any]]:
    """Every simulated row, by table, in primary-key order."""
    skipped = {tables.state.name, tables.deliveries.name}
    with engine.connect() as connection:
        return {
            table.name: connection.execute(
                sa.select(table).order_by(*table.primary_key.columns)
            ).all()
            for table in tables.METADATA.sorted_tables
            if table.name not in skipped
        }
