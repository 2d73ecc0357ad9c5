"""Step 4: revenue recommendations from the shop's own product data.

- Price tests: a 5 % raise on products that convert well above the shop median and keep a
  real margin, when the elasticity assumption of `engine.proposals` says it pays.
- Bundle offer: the pair bought together most often, offered to recent buyers.
- Leakage: products losing a large share of sales to refunds and discounts, or sold
  below cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from engine.actions import Capabilities, Context, capped_note, plural, share
from engine.drafting.base import Drafter, clip
from engine.model import ActionKind, Candidate, ProductPair, ProductStats, Reach, ShopData
from engine.proposals import (
    MIN_VIEWS,
    buyer_targets,
    conversion,
    margin,
    median_conversion,
    price_test,
    product_target,
)

PRICE_RAISE_PCT = 5
MIN_ORDERS = 10  # a conversion rate from fewer orders is luck
CONVERSION_LIFT = 1.5  # "well above the median": at least this multiple of it
MIN_MARGIN = 0.10  # below this the price is a cost problem a 5 % test will not fix
MAX_PRICE_TESTS = 2

MIN_PAIR_ORDERS = 3
# Recipients who order the pair. Its lift counts what both products earn, so the estimate does.
BUNDLE_PRIOR = Decimal("0.02")

LEAKAGE_PCT = 15  # refunds + discounts as a share of gross sales
MIN_LEAKAGE_UNITS = 5
MAX_LEAKAGE = 3


def optimize(
    data: ShopData, caps: Capabilities, drafter: Drafter, now: datetime, reach: Reach | None = None
) -> list[Candidate]:
    """Price tests, the top bundle offer and leakage reviews, from the shop's data."""
    ctx = Context(data, caps, drafter, now, reach=reach or Reach())
    return [*_price_raises(ctx), *_bundle(ctx), *_leakage(ctx)]


def _price_raises(ctx: Context) -> list[Candidate]:
    """Raise tests on strong converters with margin, best expected profit first."""
    median = median_conversion(ctx.data.products)
    if not median:
        return []
    eligible = [
        p
        for p in ctx.data.products
        if p.views >= MIN_VIEWS
        and p.orders >= MIN_ORDERS
        and (conversion(p) or 0) >= CONVERSION_LIFT * median
        and (margin(p) or 0) >= MIN_MARGIN
    ]
    tests = [c for p in eligible if (c := price_test(ctx, p, PRICE_RAISE_PCT)) is not None]
    tests.sort(key=lambda c: c.expected_value.amount if c.expected_value else 0, reverse=True)
    return tests[:MAX_PRICE_TESTS]


def _bundle(ctx: Context) -> list[Candidate]:
    """Offer the second product of the most frequent pair to recent buyers.

    Only the top pair: every bundle email goes to the same recent buyers, and one offer at a
    time is what they should get. The data does not say which buyer bought which product,
    so recent buyers stand in for "buyers of the first who lack the second".
    """
    top = _top_pair(ctx.data.products, ctx.data.pairs)
    targets, total = buyer_targets(ctx, ActionKind.BUNDLE_OFFER)
    if top is None or not targets:
        return []
    first, second, together = top
    price = ctx.money(second.price)
    facts = {
        "first": clip(first.name),
        "second": clip(second.name),
        "second_price": price.format(),
        "together": f"{together:,}",
        "days": str(ctx.data.days),
    }
    return [
        ctx.candidate(
            ActionKind.BUNDLE_OFFER,
            "standard",
            title=f"Email {plural(len(targets), 'recent buyer')}: {facts['first']} is often "
            f"bought with {facts['second']} ({price.format()}, {together:,} orders together)"
            + capped_note(len(targets), total),
            targets=targets,
            facts=facts.items(),
            params=(("first_id", first.product_id), ("second_id", second.product_id)),
            expected_value=ctx.money((first.price + second.price) * len(targets)).times(
                BUNDLE_PRIOR
            ),
        )
    ]


def _top_pair(
    products: Sequence[ProductStats], pairs: Sequence[ProductPair]
) -> tuple[ProductStats, ProductStats, int] | None:
    """The pair of known, distinct, priced products bought together most often."""
    known = {p.product_id: p for p in products}
    usable = [
        pair
        for pair in pairs
        if pair.first_id in known
        and pair.second_id in known
        and pair.first_id != pair.second_id
        and pair.orders_together >= MIN_PAIR_ORDERS
        and known[pair.second_id].price > 0
    ]
    if not usable:
        return None
    best = min(usable, key=lambda pair: (-pair.orders_together, pair.first_id, pair.second_id))
    return known[best.first_id], known[best.second_id], best.orders_together


def _leakage(ctx: Context) -> list[Candidate]:
    """Reviews of the products losing the most to refunds, discounts or selling below cost."""
    found = [
        c
        for p in ctx.data.products
        for c in (_refunds_discounts(ctx, p), _below_cost(ctx, p))
        if c is not None
    ]
    found.sort(key=lambda c: (-c.targets[0].value, c.title))
    return found[:MAX_LEAKAGE]


def _refunds_discounts(ctx: Context, product: ProductStats) -> Candidate | None:
    gross = product.revenue + product.discounts
    lost = product.refunds + product.discounts
    if product.units < MIN_LEAKAGE_UNITS or gross <= 0 or 100 * lost < LEAKAGE_PCT * gross:
        return None
    name, lost_money = clip(product.name), ctx.money(lost)
    facts = {
        "product": name,
        "lost": lost_money.format(),
        "share": share(lost, gross),
        "gross": ctx.money(gross).format(),
        "refunds": ctx.money(product.refunds).format(),
        "refunded_units": f"{product.refunded_units:,}",
        "units": f"{product.units:,}",
        "refund_rate": share(product.refunded_units, product.units),
        "discounts": ctx.money(product.discounts).format(),
        "days": str(ctx.data.days),
    }
    return ctx.candidate(
        ActionKind.LEAKAGE_REVIEW,
        "refunds_discounts",
        title=f"Review {name}: {lost_money.format()} ({share(lost, gross)}) of sales lost to "
        f"refunds and discounts in {ctx.data.days} days",
        targets=[product_target(product, lost)],
        facts=facts.items(),
    )


def _below_cost(ctx: Context, product: ProductStats) -> Candidate | None:
    if product.units <= 0 or product.price <= 0 or product.price >= product.unit_cost:
        return None
    lost = (product.unit_cost - product.price) * product.units
    name, price, cost = clip(product.name), ctx.money(product.price), ctx.money(product.unit_cost)
    facts = {
        "product": name,
        "price": price.format(),
        "cost": cost.format(),
        "units": f"{product.units:,}",
        "lost": ctx.money(lost).format(),
        "days": str(ctx.data.days),
    }
    return ctx.candidate(
        ActionKind.LEAKAGE_REVIEW,
        "below_cost",
        title=f"{name} sells below cost: {price.format()} against {cost.format()} a unit, "
        f"{ctx.money(lost).format()} lost on {plural(product.units, 'unit')}",
        targets=[product_target(product, lost)],
        facts=facts.items(),
    )
