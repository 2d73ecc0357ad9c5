from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from engine.kpis import derive, growth_pct, ratio
from engine.model import ChurnCounts, KpiSnapshot, WindowCounts
from engine.money import Money

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)
EMPTY = WindowCounts(
    start=NOW - DAY,
    end=NOW,
    revenue=0,
    refunds=0,
    discounts=0,
    orders=0,
    sessions=0,
    carts=0,
    abandoned_carts=0,
    payment_attempts=0,
    payment_failures=0,
    errors=0,
)
CURRENT = replace(
    EMPTY,
    revenue=620_160,
    refunds=4_500,
    discounts=12_000,
    orders=61,
    sessions=2_000,
    carts=420,
    abandoned_carts=300,
    payment_attempts=398,
    payment_failures=86,
    errors=7,
)
PREVIOUS = replace(CURRENT, start=NOW - 2 * DAY, end=NOW - DAY, revenue=912_000, orders=90)


def snapshot(
    current: WindowCounts = CURRENT,
    previous: WindowCounts = PREVIOUS,
    active: int = 500,
    cancelled: int = 36,
    currency: str = "USD",
) -> KpiSnapshot:
    churn = ChurnCounts(start=NOW - 30 * DAY, end=NOW, active_at_start=active, cancelled=cancelled)
    return KpiSnapshot(
        taken_at=NOW, currency=currency, current=current, previous=previous, churn=churn
    )


def test_derive_a_busy_day() -> None:
    kpis = derive(snapshot())
    assert kpis.revenue == Money(620_160, "USD")
    assert kpis.revenue_growth_pct == pytest.approx(-32.0)
    assert kpis.orders == 61
    assert kpis.orders_growth_pct == pytest.approx((61 - 90) / 90 * 100)
    assert kpis.conversion_rate == pytest.approx(61 / 2_000)
    assert kpis.abandoned_carts == 300
    assert kpis.abandonment_rate == pytest.approx(300 / 420)
    assert kpis.payment_success_rate == pytest.approx(312 / 398)
    assert kpis.churn_rate == pytest.approx(0.072)
    assert kpis.errors == 7
    assert kpis.refunds == Money(4_500, "USD")
    assert kpis.discounts == Money(12_000, "USD")


@pytest.mark.parametrize(
    ("current", "previous", "field", "expected"),
    [
        (CURRENT, replace(PREVIOUS, revenue=0), "revenue_growth_pct", None),
        (replace(CURRENT, revenue=0), PREVIOUS, "revenue_growth_pct", -100.0),
        (replace(CURRENT, revenue=1_824_000), PREVIOUS, "revenue_growth_pct", 100.0),
        (CURRENT, replace(PREVIOUS, orders=0), "orders_growth_pct", None),
        (replace(CURRENT, orders=90), PREVIOUS, "orders_growth_pct", 0.0),
        (replace(CURRENT, sessions=0), PREVIOUS, "conversion_rate", None),
        (replace(CURRENT, orders=0), PREVIOUS, "conversion_rate", 0.0),
        (replace(CURRENT, carts=0, abandoned_carts=0), PREVIOUS, "abandonment_rate", None),
        (replace(CURRENT, carts=40, abandoned_carts=40), PREVIOUS, "abandonment_rate", 1.0),
        (replace(CURRENT, payment_attempts=0), PREVIOUS, "payment_success_rate", None),
        (replace(CURRENT, payment_failures=0), PREVIOUS, "payment_success_rate", 1.0),
        (replace(CURRENT, payment_failures=398), PREVIOUS, "payment_success_rate", 0.0),
    ],
)
def test_derive_edges(
    current: WindowCounts, previous: WindowCounts, field: str, expected: float | None
) -> None:
    value = getattr(derive(snapshot(current, previous)), field)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("active", "cancelled", "expected"),
    [(0, 0, None), (200, 0, 0.0), (200, 10, 0.05), (3, 3, 1.0)],
)
def test_churn_rate(active: int, cancelled: int, expected: float | None) -> None:
    assert derive(snapshot(active=active, cancelled=cancelled)).churn_rate == expected


def test_money_fields_keep_the_snapshot_currency() -> None:
    kpis = derive(snapshot(currency="JPY"))
    assert kpis.revenue.currency == kpis.refunds.currency == kpis.discounts.currency == "JPY"


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(150, 100, 50.0), (50, 200, -75.0), (7, 7, 0.0), (5, 0, None), (0, 0, None)],
)
def test_growth_pct(current: int, previous: int, expected: float | None) -> None:
    assert growth_pct(current, previous) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"), [(1, 4, 0.25), (0, 9, 0.0), (3, 0, None), (0, 0, None)]
)
def test_ratio(part: int, whole: int, expected: float | None) -> None:
    assert ratio(part, whole) == expected
