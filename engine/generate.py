"""Step 5: income actions from the shop's data, and every step's candidates together.

A campaign features the best-margin product that sells, a referral incentive gives friends
10 % off their first order, and a social post celebrates the best seller. Priors until
the learner measures: 2 % of campaign recipients order the product; 1 % of referral
recipients bring one first order of average value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from engine.actions import Capabilities, Context, capped_note, plural
from engine.drafting.base import Drafter, clip
from engine.model import ActionKind, Candidate, Issue, Reach, ShopData, Target
from engine.optimize import optimize
from engine.proposals import best_seller, buyer_targets, email_campaign, margin
from engine.recover import recover

REFERRAL_PCT = 10
REFERRAL_PRIOR = Decimal("0.01")


def generate(
    data: ShopData, caps: Capabilities, drafter: Drafter, now: datetime, reach: Reach | None = None
) -> list[Candidate]:
    """A campaign, a referral incentive and a social post, where the data supports them."""
    ctx = Context(data, caps, drafter, now, reach=reach or Reach())
    found = (_campaign(ctx), _referral(ctx), _social_post(ctx))
    return [c for c in found if c is not None]


def all_candidates(
    issues: Sequence[Issue], data: ShopData, caps: Capabilities, drafter: Drafter, now: datetime
) -> list[Candidate]:
    """Recover, optimize and generate candidates, the first of each (arm, targets) kept."""
    return unique_candidates(
        [
            *recover(issues, data, caps, drafter, now),
            *optimize(data, caps, drafter, now),
            *generate(data, caps, drafter, now),
        ]
    )


def unique_candidates(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Candidates in order, the first of each (arm, targets) kept."""
    seen: set[tuple[str, str]] = set()
    unique: list[Candidate] = []
    for candidate in candidates:
        key = (candidate.arm, candidate.target_key)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _campaign(ctx: Context) -> Candidate | None:
    """Feature the product that earns the most per sale, among those that sell."""
    selling = [p for p in ctx.data.products if p.orders > 0 and p.price > 0]
    if not selling:
        return None
    best = max(selling, key=lambda p: (margin(p) or 0, p.units, p.product_id))
    why = f"your best-margin product ({100 * (margin(best) or 0):.0f}%)"
    return email_campaign(ctx, best, why)


def _referral(ctx: Context) -> Candidate | None:
    """Ask recent buyers to refer friends, who get `REFERRAL_PCT` % off a first order."""
    targets, total = buyer_targets(ctx, ActionKind.REFERRAL_INCENTIVE)
    if not targets:
        return None
    orders = sum(p.orders for p in ctx.data.products)
    # Orders containing each product, summed, count multi-product orders more than once,
    # so this average order value errs low.
    average = sum(p.revenue for p in ctx.data.products) // orders if orders > 0 else 0
    return ctx.candidate(
        ActionKind.REFERRAL_INCENTIVE,
        f"give_{REFERRAL_PCT}",
        title=f"Ask {plural(len(targets), 'recent buyer')} to refer friends, who get "
        f"{REFERRAL_PCT}% off their first order" + capped_note(len(targets), total),
        targets=targets,
        facts=(("pct", str(REFERRAL_PCT)),),
        params=(("discount_pct", str(REFERRAL_PCT)),),
        expected_value=ctx.money(average * len(targets)).times(REFERRAL_PRIOR)
        if average > 0
        else None,
    )


def _social_post(ctx: Context) -> Candidate | None:
    """A post about the best seller, with its real units and price."""
    product = best_seller(ctx.data.products)
    if product is None:
        return None
    name, price = clip(product.name), ctx.money(product.price)
    return ctx.candidate(
        ActionKind.SOCIAL_POST,
        "best_seller",
        title=f"Draft a social post about {name}, your best seller "
        f"({product.units:,} sold in {ctx.data.days} days)",
        targets=[Target(f"product:{product.product_id}", ref=product.product_id)],
        facts=(
            ("product", name),
            ("units", f"{product.units:,}"),
            ("days", str(ctx.data.days)),
            ("price", price.format()),
        ),
        params=(("product_id", product.product_id),),
    )
