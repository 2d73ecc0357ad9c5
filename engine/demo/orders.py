"""Orders with their items, payment attempts and refunds; subscription invoices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.demo import catalog, tables
from engine.demo.book import Subscription
from engine.demo.buffer import Row, stamp
from engine.demo.world import Context, World

_DAY = 86_400


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order about to be placed."""

    customer_id: int
    cart_id: int | None
    placed_at: int  # epoch seconds
    items: tuple[tuple[int, int], ...]  # (product id, quantity)
    discount_pct: int = 0
    action_id: str | None = None
    referred_by: int | None = None  # the customer whose referral brought this order


@dataclass(frozen=True, slots=True)
class Placed:
    """What became of a draft."""

    order_id: int
    paid: bool
    total: int


def _declines(ctx: Context, count: int) -> list[str]:
    rates = ctx.rates
    mix = catalog.OUTAGE_DECLINES if rates.outage else catalog.SOFT_DECLINES + catalog.HARD_DECLINES
    weights = np.array([share for _, share in mix])
    drawn = ctx.rng.choice(len(mix), count, p=weights / weights.sum())
    return [mix[i][0] for i in drawn.tolist()]


def _payment(ctx: Context, customer: int, amount: int, at: int, code: str | None) -> Row:
    return {
        "id": ctx.ids.one(tables.payments),
        "attempted_at": stamp(at),
        "customer_id": customer,
        "order_id": None,
        "subscription_id": None,
        "amount": amount,
        "currency": ctx.world.currency,
        "status": "failed" if code else "succeeded",
        "decline_code": code,
        "hard_decline": code in catalog.HARD_CODES,
        "recovered_by_payment_id": None,
        "action_id": None,
    }


def _lines(world: World, draft: OrderDraft, order_id: int) -> list[Row]:
    lines = []
    for product_id, quantity in draft.items:
        gross = world.price(product_id) * quantity
        lines.append(
            {
                "order_id": order_id,
                "product_id": product_id,
                "quantity": quantity,
                "unit_price": world.price(product_id),
                "discount": (gross * draft.discount_pct + 50) // 100,
                "refunded_units": 0,
                "refund_amount": 0,
            }
        )
    return lines


@dataclass(frozen=True, slots=True)
class _Fates:
    """What happens to each draft's payment and whether it is refunded later."""

    failed: np.ndarray
    retried: np.ndarray
    retry_failed: np.ndarray
    codes: list[str]
    retry_codes: list[str]
    retry_delay: np.ndarray
    refunded: np.ndarray
    refund_delay: np.ndarray
    refund_line: np.ndarray

    @classmethod
    def draw(cls, ctx: Context, count: int) -> _Fates:
        draws, rates, rng = ctx.draws, ctx.rates, ctx.rng
        failed = draws.pick(count, rates.payment_failure)
        retried = draws.pick_within(failed, rates.self_retry)
        return cls(
            failed=failed,
            retried=retried,
            retry_failed=draws.pick_within(retried, rates.self_retry_failure),
            codes=_declines(ctx, count),
            retry_codes=_declines(ctx, count),
            retry_delay=rng.integers(30, 600, count),
            refunded=rng.random(count) < ctx.world.truth.base.refund_rate,
            refund_delay=rng.integers(_DAY, 14 * _DAY, count),
            refund_line=rng.random(count),
        )


def place_orders(ctx: Context, drafts: Sequence[OrderDraft]) -> list[Placed]:
    """Write the drafts as orders, with a checkout payment (and the customer's own retry)."""
    fates = _Fates.draw(ctx, len(drafts))
    order_ids = ctx.ids.take(tables.orders, len(drafts))
    placed, orders, items, payments = [], [], [], []
    for i, draft in enumerate(drafts):
        lines = _lines(ctx.world, draft, order_ids[i])
        paid = not fates.failed[i] or bool(fates.retried[i] and not fates.retry_failed[i])
        order = _order_row(ctx.world, draft, order_ids[i], lines, paid=paid)
        if paid and fates.refunded[i]:
            line = lines[int(fates.refund_line[i] * len(lines))]
            _refund(order, line, draft.placed_at + int(fates.refund_delay[i]))
        attempts = _attempts(ctx, fates, i, draft, order["total"])
        for attempt in attempts:
            attempt["order_id"] = order["id"]
            attempt["action_id"] = draft.action_id
        orders.append(order)
        items.extend(lines)
        payments.extend(attempts)
        placed.append(Placed(order["id"], paid, order["total"]))
    ctx.rows.add(tables.orders, orders)
    ctx.rows.add(tables.order_items, items)
    ctx.rows.add(tables.payments, payments)
    return placed


def _attempts(ctx: Context, fates: _Fates, i: int, draft: OrderDraft, total: int) -> list[Row]:
    """The checkout attempt, and the customer's immediate second try after a decline."""
    code = fates.codes[i] if fates.failed[i] else None
    first = _payment(ctx, draft.customer_id, total, draft.placed_at, code)
    if not fates.retried[i]:
        return [first]
    code = fates.retry_codes[i] if fates.retry_failed[i] else None
    at = draft.placed_at + int(fates.retry_delay[i])
    retry = _payment(ctx, draft.customer_id, total, at, code)
    if code is None:
        first["recovered_by_payment_id"] = retry["id"]
    return [first, retry]


def _order_row(
    world: World, draft: OrderDraft, order_id: int, lines: list[Row], *, paid: bool
) -> Row:
    subtotal = sum(line["unit_price"] * line["quantity"] for line in lines)
    discount = sum(line["discount"] for line in lines)
    return {
        "id": order_id,
        "customer_id": draft.customer_id,
        "cart_id": draft.cart_id,
        "placed_at": stamp(draft.placed_at),
        "subtotal": subtotal,
        "discount": discount,
        "total": subtotal - discount,
        "currency": world.currency,
        "status": "paid" if paid else "payment_failed",
        "refunded_at": None,
        "refund_amount": 0,
        "action_id": draft.action_id,
        "referred_by": draft.referred_by,
    }


def _refund(order: Row, line: Row, at: int) -> None:
    """Refund one line in full; the refund's time is drawn with the order, days later."""
    amount = line["unit_price"] * line["quantity"] - line["discount"]
    line["refunded_units"] = line["quantity"]
    line["refund_amount"] = amount
    order["refunded_at"] = stamp(at)
    order["refund_amount"] = amount


def charge_invoices(ctx: Context, charges: Sequence[tuple[Subscription, int, int]]) -> None:
    """Charge (subscription, amount, epoch seconds) invoices once each; failures stay failed."""
    count = len(charges)
    failed = ctx.draws.pick(count, ctx.rates.payment_failure)
    codes = _declines(ctx, count)
    payments = []
    for i, (subscription, amount, at) in enumerate(charges):
        row = _payment(ctx, subscription.customer_id, amount, at, codes[i] if failed[i] else None)
        row["subscription_id"] = subscription.id
        payments.append(row)
    ctx.rows.add(tables.payments, payments)
