"""Candidate builders shared by recover, optimize and generate, and product economics.

Price tests assume a demand elasticity: -0.5 for a raise on a product that converts well
above the shop median (its buyers are not price-sensitive), -1.5 for a cut on one that
converts poorly. Their expected value is the change in gross profit over the data's period
at constant unit cost: units x (1 + elasticity x change) x (new price - cost), minus the
current units x (price - cost). A test is proposed only when that is positive.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from engine.actions import Context, capped, capped_note, plural, share
from engine.drafting.base import MESSAGE_LIMIT, clip
from engine.model import ActionKind, Candidate, IssueKind, ProductStats, Target
from engine.money import Money

MIN_VIEWS = 100  # fewer views than this: conversion is noise
ELASTICITY_RAISE = Decimal("-0.5")
ELASTICITY_CUT = Decimal("-1.5")
REVIEW_AFTER = timedelta(days=14)
CAMPAIGN_PRIOR = Decimal("0.02")  # recent buyers who order the featured product
LISTED_ERRORS = 10
LISTED_PRODUCTS = 5


def conversion(product: ProductStats) -> float | None:
    """Orders per view, or None without views."""
    return product.orders / product.views if product.views > 0 else None


def margin(product: ProductStats) -> float | None:
    """(price - unit cost) / price, or None for a free product."""
    return (product.price - product.unit_cost) / product.price if product.price > 0 else None


def median_conversion(products: Sequence[ProductStats]) -> float | None:
    """The median conversion of products with enough views to judge."""
    rates = [p.orders / p.views for p in products if p.views >= MIN_VIEWS]
    return statistics.median(rates) if rates else None


def best_seller(products: Sequence[ProductStats]) -> ProductStats | None:
    """The product with the most units sold (revenue breaks ties), if any sold."""
    sold = [p for p in products if p.units > 0 and p.price > 0]
    return max(sold, key=lambda p: (p.units, p.revenue, p.product_id), default=None)


def low_converters(products: Sequence[ProductStats]) -> list[ProductStats]:
    """Products with median traffic or more that convert below the median, worst first."""
    views = [p.views for p in products if p.views > 0]
    median = median_conversion(products)
    if not views or median is None:
        return []
    floor = max(MIN_VIEWS, statistics.median(views))
    busy = [p for p in products if p.views >= floor and p.orders / p.views < median]
    return sorted(busy, key=lambda p: (p.orders / p.views, -p.views, p.product_id))


def product_target(product: ProductStats, value: int) -> Target:
    """The product an action is about, with the money at stake on it."""
    return Target(f"product:{product.product_id}", value=value, ref=product.product_id)


def customer_target(customer_id: str, email: str, value: int, name: str | None) -> Target:
    """A customer an email goes to, keyed and referred to by their id."""
    return Target(f"customer:{customer_id}", customer_id, email, value, customer_id, name)


def buyer_targets(ctx: Context, kind: ActionKind) -> tuple[list[Target], int]:
    """Recent buyers an e-mail of `kind` could reach now, once each, capped; and how many."""
    unique = {cid: email for cid, email in ctx.data.recent_buyers if email}
    names = dict(ctx.data.buyer_names)
    everyone = (customer_target(cid, email, 0, names.get(cid)) for cid, email in unique.items())
    targets = [target for target in everyone if ctx.reach.allows(kind, target)]
    chosen, total = capped(targets, lambda t: t.value)
    return chosen, total


def price_change_profit(ctx: Context, product: ProductStats, pct: int) -> tuple[Money, Money]:
    """The new price after a `pct` % change and the expected change in gross profit."""
    change = Decimal(pct) / 100
    elasticity = ELASTICITY_RAISE if pct > 0 else ELASTICITY_CUT
    new = ctx.money(product.price).times(1 + change)
    before = ctx.money((product.price - product.unit_cost) * product.units)
    after = ctx.money((new.amount - product.unit_cost) * product.units)
    return new, after.times(1 + elasticity * change) - before


def price_test(
    ctx: Context, product: ProductStats, pct: int, issue_kind: IssueKind | None = None
) -> Candidate | None:
    """A `pct` % price change on one product, if the elasticity assumption says it pays."""
    old = ctx.money(product.price)
    new, profit = price_change_profit(ctx, product, pct)
    median = median_conversion(ctx.data.products)
    if profit.amount <= 0 or new == old or median is None or product.views == 0:
        return None
    name, direction = clip(product.name), "higher" if pct > 0 else "lower"
    facts = {
        "product": name,
        "old_price": old.format(),
        "new_price": new.format(),
        "pct": str(abs(pct)),
        "conversion": share(product.orders, product.views),
        "median": f"{100 * median:.1f}%",
        "margin": f"{100 * (margin(product) or 0):.0f}%",
        "review_date": (ctx.now + REVIEW_AFTER).date().isoformat(),
        "profit": f"+{profit.format()}",
        "days": str(ctx.data.days),
        "units": f"{product.units:,}",
        "elasticity": str(ELASTICITY_RAISE if pct > 0 else ELASTICITY_CUT),
    }
    return ctx.candidate(
        ActionKind.PRICE_TEST,
        f"{'plus' if pct > 0 else 'minus'}_{abs(pct)}",
        title=f"Test a {abs(pct)}% {direction} price on {name}: {old.format()} → "
        f"{new.format()} (+{profit.format()} profit in {ctx.data.days} days expected)",
        targets=[product_target(product, product.revenue)],
        facts=facts.items(),
        params=(
            ("product_id", product.product_id),
            ("old_price", str(old.amount)),
            ("new_price", str(new.amount)),
            ("change_pct", str(pct)),
        ),
        issue_kind=issue_kind,
        expected_value=profit,
    )


def error_investigation(ctx: Context, issue_kind: IssueKind, context: str) -> Candidate | None:
    """Advice listing the most frequent error messages with their counts."""
    counts: Counter[str] = Counter()
    for message, count in ctx.data.error_samples:
        if count > 0:
            counts[message] += count
    if not counts:
        return None
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:LISTED_ERRORS]
    total = sum(counts.values())
    digests = [hashlib.sha256(message.encode()).hexdigest()[:12] for message, _ in top]
    facts = {
        "total": f"{total:,}",
        "top": clip(top[0][0], 60),
        "lines": "\n".join(f"• {clip(m, MESSAGE_LIMIT)} ({n:,})" for m, n in top),
        "context": context,
    }
    return ctx.candidate(
        ActionKind.ERROR_INVESTIGATION,
        "errors",
        title=f"Investigate {plural(total, 'error')}; most frequent: "
        f"{clip(top[0][0], 60)} ({top[0][1]:,})",
        targets=[Target(f"error:{d}", ref=d) for d in digests],
        facts=facts.items(),
        issue_kind=issue_kind,
    )


def checkout_funnel(ctx: Context) -> Candidate | None:
    """Advice to walk the checkout, naming the busiest products that convert worst."""
    worst = low_converters(ctx.data.products)[:LISTED_PRODUCTS]
    if not worst:
        return None
    lines = [
        f"• {clip(p.name)}: {p.views:,} views, {p.orders:,} orders ({share(p.orders, p.views)})"
        for p in worst
    ]
    first = worst[0]
    return ctx.candidate(
        ActionKind.ERROR_INVESTIGATION,
        "checkout_funnel",
        title=f"Check the checkout and {plural(len(worst), 'busy product page')}; worst: "
        f"{clip(first.name)}, {share(first.orders, first.views)} of {first.views:,} views buy",
        targets=[
            Target(f"product:{p.product_id}", None, None, p.revenue, p.product_id) for p in worst
        ],
        facts=(("days", str(ctx.data.days)), ("lines", "\n".join(lines))),
        issue_kind=IssueKind.LOW_CONVERSION,
    )


def email_campaign(
    ctx: Context, product: ProductStats, why: str, issue_kind: IssueKind | None = None
) -> Candidate | None:
    """An email to recent buyers featuring one product; `why` says why this product."""
    targets, total = buyer_targets(ctx, ActionKind.EMAIL_CAMPAIGN)
    if not targets or product.price <= 0:
        return None
    price, name = ctx.money(product.price), clip(product.name)
    return ctx.candidate(
        ActionKind.EMAIL_CAMPAIGN,
        "standard",
        title=f"Email {plural(len(targets), 'recent buyer')} about {name} ({price.format()}), "
        f"{why}" + capped_note(len(targets), total),
        targets=targets,
        facts=(
            ("product", name),
            ("price", price.format()),
            ("orders", f"{product.orders:,}"),
            ("days", str(ctx.data.days)),
        ),
        params=(("product_id", product.product_id),),
        issue_kind=issue_kind,
        expected_value=ctx.money(product.price * len(targets)).times(CAMPAIGN_PRIOR),
    )
