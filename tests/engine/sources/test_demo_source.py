"""The demo source against rows counted by hand: window and churn semantics, shop data."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import combinations

import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import tables
from engine.ports import ShopSource
from engine.sources.demo import DemoSource
from tests.engine.sources.conftest import END

DAY = timedelta(days=1)
START, STOP = END - 30 * timedelta(hours=1), END - 6 * timedelta(hours=1)


def _rows(source: DemoSource, table: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    with source.shop.engine.connect() as connection:
        return list(connection.execute(sa.select(table)).all())


def _inside(moment: datetime | None) -> bool:
    return moment is not None and START <= as_utc(moment) < STOP


def test_is_a_shop_source(sqlite_source: DemoSource) -> None:
    source: ShopSource = sqlite_source
    assert source.currency == "USD"


def test_window_counts_mean_what_the_model_says(sqlite_source: DemoSource) -> None:
    counts = sqlite_source.window(START, STOP)
    orders = [o for o in _rows(sqlite_source, tables.orders) if _inside(o.placed_at)]
    paid = [o for o in orders if o.status == "paid"]
    carts = [c for c in _rows(sqlite_source, tables.carts) if _inside(c.ended_at)]
    payments = [p for p in _rows(sqlite_source, tables.payments) if _inside(p.attempted_at)]
    refunded = [o for o in _rows(sqlite_source, tables.orders) if _inside(o.refunded_at)]
    assert (counts.start, counts.end) == (START, STOP)
    assert counts.revenue == sum(o.total for o in paid)
    assert counts.orders == len(paid) < len(orders)  # payment trouble: some orders unpaid
    assert counts.discounts == sum(o.discount for o in paid)
    assert counts.refunds == sum(o.refund_amount for o in refunded) > 0
    assert counts.sessions == sum(
        _inside(s.started_at) for s in _rows(sqlite_source, tables.sessions)
    )
    assert counts.carts == len(carts)
    assert counts.abandoned_carts == sum(c.status == "abandoned" for c in carts)
    assert counts.payment_attempts == len(payments)
    assert counts.payment_failures == sum(p.status == "failed" for p in payments)
    assert counts.errors == sum(_inside(e.at) for e in _rows(sqlite_source, tables.errors))


def test_churn_counts_subscribers_at_the_start(sqlite_source: DemoSource) -> None:
    start = END - 30 * DAY
    churn = sqlite_source.churn(start, END)
    subs = _rows(sqlite_source, tables.subscriptions)
    ended = [as_utc(s.cancelled_at) for s in subs if s.cancelled_at is not None]
    assert churn.active_at_start == sum(
        as_utc(s.started_at) < start and (s.cancelled_at is None or as_utc(s.cancelled_at) >= start)
        for s in subs
    )
    assert churn.cancelled == sum(start <= moment < END for moment in ended) > 0


def test_abandoned_carts_are_recent_unbought_and_bounded(sqlite_source: DemoSource) -> None:
    source = DemoSource(sqlite_source.shop, target_limit=40)
    carts = source.shop_data(END).abandoned_carts
    assert len(carts) == 40
    values = [c.value for c in carts]
    assert values == sorted(values, reverse=True)
    bought = {o.cart_id for o in _rows(source, tables.orders) if as_utc(o.placed_at) < END}
    for cart in carts:
        assert END - DAY <= cart.abandoned_at < END
        assert int(cart.cart_id) not in bought
        assert cart.email.endswith((".com", ".org", ".net"))
        assert "@example." in cart.email
        assert cart.product_names


def test_failed_payments_are_unrecovered_and_flag_hard_declines(sqlite_source: DemoSource) -> None:
    failed = sqlite_source.shop_data(END).failed_payments
    assert 20 < len(failed) <= 500
    assert {p.hard_decline for p in failed} <= {True, False}
    rows = {p.id: p for p in _rows(sqlite_source, tables.payments)}
    for payment in failed:
        row = rows[int(payment.payment_id)]
        assert row.status == "failed"
        assert row.recovered_by_payment_id is None
        assert END - 3 * DAY <= payment.failed_at < END
        assert payment.hard_decline == (
            payment.decline_code
            in {"expired_card", "incorrect_number", "lost_card", "stolen_card", "pickup_card"}
        )


def test_churned_customers_have_left_and_carry_a_value(sqlite_source: DemoSource) -> None:
    churned = sqlite_source.shop_data(END).churned_customers
    assert churned
    active = {
        s.customer_id
        for s in _rows(sqlite_source, tables.subscriptions)
        if s.cancelled_at is None or as_utc(s.cancelled_at) >= END
    }
    for customer in churned:
        assert END - 30 * DAY <= customer.cancelled_at < END
        assert int(customer.customer_id) not in active
        assert customer.lifetime_value > 0


def test_product_stats_add_up_to_revenue_and_pairs_are_the_top_ones(
    sqlite_source: DemoSource,
) -> None:
    data = sqlite_source.shop_data(END, days=5)
    since = END - 5 * DAY
    paid = {
        o.id: o
        for o in _rows(sqlite_source, tables.orders)
        if o.status == "paid" and since <= as_utc(o.placed_at) < END
    }
    assert len(data.products) == 17
    assert sum(p.revenue for p in data.products) == sum(o.total for o in paid.values())
    assert sum(p.discounts for p in data.products) == sum(o.discount for o in paid.values())
    assert all(p.views > 0 and p.unit_cost < p.price for p in data.products)
    items: dict[int, list[int]] = {}
    for item in _rows(sqlite_source, tables.order_items):
        if item.order_id in paid:
            items.setdefault(item.order_id, []).append(item.product_id)
    together = Counter(pair for ids in items.values() for pair in combinations(sorted(ids), 2))
    expected = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    got = [((int(p.first_id), int(p.second_id)), p.orders_together) for p in data.pairs]
    assert got == expected


def test_recent_buyers_and_error_samples(sqlite_source: DemoSource) -> None:
    data = sqlite_source.shop_data(END, days=2)
    assert 0 < len(data.recent_buyers) <= 500
    assert all("@example." in email for _, email in data.recent_buyers)
    counts = [count for _, count in data.error_samples]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == sqlite_source.window(END - DAY, END).errors
    assert data.currency == "USD"
    assert data.days == 2
