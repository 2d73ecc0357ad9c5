"""Responses to delivered actions: real rows later on, once per target, none for held-out ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoShop, tables
from engine.model import ActionKind, Target, TargetState
from engine.sources.demo import DemoSource
from tests.engine.demo.conftest import END

DAY = timedelta(days=1)


@pytest.fixture
def shop() -> Iterator[DemoShop]:
    """A shop with many abandoned carts and failed payments at END (a fresh one per test)."""
    engine = sa.create_engine("sqlite://")
    shop = DemoShop(engine, timezone=ZoneInfo("UTC"))
    shop.start(scenario="cart_abandonment", seed=8, end=END, days=2)
    yield shop
    engine.dispose()


def _cart_targets(source: DemoSource) -> list[Target]:
    carts = source.shop_data(END).abandoned_carts
    return [
        Target(key=f"cart:{c.cart_id}", customer_id=c.customer_id, email=c.email, ref=c.cart_id)
        for c in carts
    ]


def test_cart_recovery_converts_some_targets_and_never_the_held_out(shop: DemoShop) -> None:
    source = DemoSource(shop, target_limit=3_000)
    targets = _cart_targets(source)
    assert len(targets) >= 2_000
    sent, held = targets[::2], targets[1::2]
    results = shop.deliver(
        "act-carts", "cart_recovery_email", "discount_10", params={}, targets=sent, at=END
    )
    assert all(r.state == TargetState.SENT and not r.duplicate for r in results)
    source.sync(END + 4 * DAY)
    kind = ActionKind.CART_RECOVERY_EMAIL
    refs = [t.ref or "" for t in sent], [t.ref or "" for t in held]
    converted = [shop.conversions(kind, r, END, END + 4 * DAY) for r in refs]
    sent_rate, held_rate = (len(c) / len(r) for c, r in zip(converted, refs, strict=True))
    truth = shop.hidden_truth()
    assert truth is not None
    natural = truth.base.natural_return
    assert held_rate < natural + 0.015  # the base rate of customers coming back on their own
    assert truth.responses.cart_recovery[1] - 0.03 < sent_rate - natural < 0.2
    attributed = shop.attribution("act-carts", END + 4 * DAY)
    assert attributed.delivered == len(sent)
    assert 0 < attributed.orders <= len(converted[0])
    assert 0 < attributed.discounts < attributed.revenue // 5  # the 10 % off is paid for


def test_repeated_delivery_is_recorded_once_and_reacts_once(shop: DemoShop) -> None:
    source = DemoSource(shop, target_limit=200)
    targets = _cart_targets(source)
    now = END
    first = shop.deliver(
        "act-twice", "cart_recovery_email", "no_discount", params={}, targets=targets, at=now
    )
    again = shop.deliver(
        "act-twice", "cart_recovery_email", "no_discount", params={}, targets=targets, at=now
    )
    assert all(not r.duplicate for r in first)
    assert all(r.duplicate and r.state == TargetState.SENT for r in again)
    source.sync(now + 4 * DAY)
    deliveries, orders = tables.deliveries, tables.orders
    with shop.engine.connect() as connection:
        recorded = connection.execute(
            sa.select(sa.func.count()).where(deliveries.c.action_id == "act-twice")
        ).scalar_one()
        per_cart = connection.execute(
            sa.select(orders.c.cart_id, sa.func.count())
            .where(orders.c.action_id == "act-twice")
            .group_by(orders.c.cart_id)
        ).all()
    assert recorded == len(targets)
    assert per_cart
    assert all(count == 1 for _, count in per_cart)


def test_delivered_carts_are_not_offered_again(shop: DemoShop) -> None:
    source = DemoSource(shop, target_limit=50)
    targets = _cart_targets(source)
    shop.deliver(
        "act-offer", "cart_recovery_email", "no_discount", params={}, targets=targets, at=END
    )
    remaining = {cart.cart_id for cart in source.shop_data(END).abandoned_carts}
    assert not remaining & {t.ref for t in targets}


def test_payment_retries_recover_soft_declines_not_hard_ones(shop: DemoShop) -> None:
    source = DemoSource(shop)
    now = END
    failed = source.shop_data(now).failed_payments
    targets = [Target(key=f"payment:{p.payment_id}", ref=p.payment_id) for p in failed]
    results = shop.deliver(
        "act-retry", "payment_retry", "standard", params={}, targets=targets, at=now
    )
    assert all(r.state == TargetState.SENT for r in results)
    source.sync(now + DAY)
    recovered = shop.conversions(
        ActionKind.PAYMENT_RETRY, [p.payment_id for p in failed], now, now + DAY
    )
    soft = [p for p in failed if not p.hard_decline]
    hard = [p for p in failed if p.hard_decline]
    assert len(soft) >= 30
    assert 0.25 <= sum(p.payment_id in recovered for p in soft) / len(soft) <= 0.85
    assert sum(p.payment_id in recovered for p in hard) <= max(1, len(hard) // 10)
    attributed = shop.attribution("act-retry", now + DAY)
    assert attributed.recovered_payments == len(recovered)
    assert attributed.recovered_amount == sum(recovered.values())
    assert not {p.payment_id for p in source.shop_data(now + DAY).failed_payments} & set(recovered)


def test_winback_and_campaigns_bring_rows_attributed_to_the_action(shop: DemoShop) -> None:
    source = DemoSource(shop, target_limit=2_000)
    now = END
    data = source.shop_data(now)
    churned = [
        Target(key=f"customer:{c.customer_id}", customer_id=c.customer_id, email=c.email)
        for c in data.churned_customers
    ]
    buyers = [Target(key=f"customer:{c}", customer_id=c, email=e) for c, e in data.recent_buyers]
    shop.deliver("act-winback", "winback_email", "discount_20", params={}, targets=churned, at=now)
    shop.deliver(
        "act-bundle",
        "bundle_offer",
        "discount_10",
        params={"product_ids": "7,8"},
        targets=buyers,
        at=now,
    )
    source.sync(now + 6 * DAY)
    winback = shop.attribution("act-winback", now + 6 * DAY)
    bundle = shop.attribution("act-bundle", now + 6 * DAY)
    assert len(churned) >= 50
    assert 0 < winback.subscriptions < len(churned) // 4
    assert 0 < bundle.orders < len(buyers) // 10
    assert bundle.revenue > 0


def test_undeliverable_targets_and_kinds_fail_with_a_reason(shop: DemoShop) -> None:
    bogus = [Target(key="cart:nope", ref="nope"), Target(key="cart:999999999", ref="999999999")]
    results = shop.deliver(
        "act-bad", "cart_recovery_email", "standard", params={}, targets=bogus, at=END
    )
    assert [r.state for r in results] == [TargetState.FAILED, TargetState.FAILED]
    assert all(r.detail for r in results)
    other = shop.deliver(
        "act-price", "price_test", "standard", params={}, targets=bogus[:1], at=END
    )
    assert other[0].state == TargetState.FAILED
    assert "price_test" in other[0].detail
