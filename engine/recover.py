"""Step 3: recovery actions for open issues, aimed at real carts, payments and customers.

Expected values are conservative priors until the learner measures real lift:
cart recovery recovers 5 % of cart value without a discount and 8 % with 10 % off (net of
the discount); win-back brings back 2 % (4 % with 20 % off, net) of churned customers'
lifetime value; a soft-declined payment retry succeeds at a rate that depends on its
decline code (`RETRY_PRIOR`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from engine.actions import Capabilities, Context, capped, capped_note, plural
from engine.declines import is_hard_decline, retry_prior
from engine.drafting.base import Drafter, discount_code
from engine.model import (
    AbandonedCart,
    ActionKind,
    Candidate,
    ChurnedCustomer,
    FailedPayment,
    Issue,
    IssueKind,
    Reach,
    ShopData,
    Target,
)
from engine.proposals import (
    best_seller,
    checkout_funnel,
    customer_target,
    email_campaign,
    error_investigation,
    low_converters,
    price_test,
)

CART_MIN_AGE = timedelta(minutes=30)  # the shopper may still be checking out
CART_MAX_AGE = timedelta(days=7)  # older carts are cold; an email reads as spam
PAYMENT_MAX_AGE = timedelta(days=30)  # older failures are usually settled another way
CHURN_MAX_AGE = timedelta(days=90)

CART_PRIOR = {"no_discount": Decimal("0.05"), "discount_10": Decimal("0.08") * Decimal("0.90")}
WINBACK = ActionKind.WINBACK_EMAIL
WINBACK_PRIOR = {"standard": Decimal("0.02"), "discount_20": Decimal("0.04") * Decimal("0.80")}
REVENUE_DROP_ERROR_FLOOR = 20  # sampled errors that make breakage a suspect for a drop

LISTED_PAYMENTS = 15  # payment lines shown in a retry proposal; the rest are counted


def recover(
    issues: Sequence[Issue],
    data: ShopData,
    caps: Capabilities,
    drafter: Drafter,
    now: datetime,
    *,
    reach: Reach | None = None,
) -> list[Candidate]:
    """Candidate recovery actions for each kind of open issue, in the issues' order."""
    kinds = list(dict.fromkeys(issue.kind for issue in issues if issue.is_open))
    ctx = Context(data, caps, drafter, now, frozenset(kinds), reach or Reach())
    return [candidate for kind in kinds for candidate in _HANDLERS[kind](ctx)]


def _carts(ctx: Context) -> list[Candidate]:
    """Cart-recovery emails with and without 10 % off, one per shopper (their largest cart)."""
    fresh = _fresh_carts(ctx.data.abandoned_carts, ctx.now)
    reachable = [c for c in fresh if ctx.reach.allows(ActionKind.CART_RECOVERY_EMAIL, _target(c))]
    chosen, total = capped(reachable, lambda c: c.value)
    if not chosen:
        return []
    targets = [_target(c) for c in chosen]
    value = ctx.money(sum(c.value for c in chosen))
    title = (
        f"Email {plural(len(chosen), 'customer')} who left {value.format()} in carts"
        + capped_note(len(chosen), total)
    )
    return _plain_and_discount(
        ctx,
        ActionKind.CART_RECOVERY_EMAIL,
        IssueKind.ABANDONED_CARTS,
        title=title,
        targets=targets,
        priors=CART_PRIOR,
        code_prefix="BACK",
    )


def _target(c: AbandonedCart) -> Target:
    return Target(f"cart:{c.cart_id}", c.customer_id, c.email, c.value, c.cart_id, c.name)


def _fresh_carts(carts: Sequence[AbandonedCart], now: datetime) -> list[AbandonedCart]:
    """Emailable carts between `CART_MIN_AGE` and `CART_MAX_AGE` old, the largest per email."""
    best: dict[str, AbandonedCart] = {}
    for cart in carts:
        age = now - cart.abandoned_at
        if cart.email and CART_MIN_AGE <= age <= CART_MAX_AGE and cart.value > 0:
            key = cart.email.strip().lower()
            if key not in best or cart.value > best[key].value:
                best[key] = cart
    return list(best.values())


def _payments(ctx: Context) -> list[Candidate]:
    """One retry of each recent soft decline; hard declines are counted, never retried."""
    recent = {
        p.payment_id: p
        for p in ctx.data.failed_payments
        if timedelta(0) <= ctx.now - p.failed_at <= PAYMENT_MAX_AGE and p.amount > 0
    }.values()
    hard = [p for p in recent if is_hard_decline(p)]
    chosen, total = capped([p for p in recent if not is_hard_decline(p)], lambda p: p.amount)
    if not chosen:
        return []
    amount = ctx.money(sum(p.amount for p in chosen))
    excluded = f" ({plural(len(hard), 'hard decline')} excluded)" if hard else ""
    expected = sum(
        (ctx.money(p.amount).times(retry_prior(p.decline_code)) for p in chosen),
        start=ctx.money(0),
    )
    return [
        ctx.candidate(
            ActionKind.PAYMENT_RETRY,
            "soft_declines",
            title=f"Retry {plural(len(chosen), 'soft-declined payment')} worth "
            f"{amount.format()}{excluded}{capped_note(len(chosen), total)}",
            targets=[
                Target(f"payment:{p.payment_id}", p.customer_id, p.email, p.amount, p.payment_id)
                for p in chosen
            ],
            facts=_retry_facts(ctx, chosen, hard),
            params=(("attempts", "1"),),
            issue_kind=IssueKind.PAYMENT_FAILURES,
            expected_value=expected,
        )
    ]


def _retry_facts(
    ctx: Context, chosen: Sequence[FailedPayment], hard: Sequence[FailedPayment]
) -> list[tuple[str, str]]:
    """The payments to retry, one line each up to `LISTED_PAYMENTS`, and the hard declines."""
    lines = [
        f"• {p.payment_id}: {ctx.money(p.amount).format()}, {p.decline_code}"
        for p in chosen[:LISTED_PAYMENTS]
    ]
    if len(chosen) > LISTED_PAYMENTS:
        lines.append(f"• …and {len(chosen) - LISTED_PAYMENTS:,} more")
    return [
        ("count", f"{len(chosen):,}"),
        ("total", ctx.money(sum(p.amount for p in chosen)).format()),
        ("lines", "\n".join(lines)),
        ("hard_count", f"{len(hard):,}"),
        ("hard_total", ctx.money(sum(p.amount for p in hard)).format()),
    ]


def _churn(ctx: Context) -> list[Candidate]:
    """Win-back emails, plain and with 20 % off, to customers who cancelled lately."""
    recent: dict[str, ChurnedCustomer] = {
        c.customer_id: c
        for c in ctx.data.churned_customers
        if c.email and timedelta(0) <= ctx.now - c.cancelled_at <= CHURN_MAX_AGE
    }
    reachable = [c for c in recent.values() if ctx.reach.allows(WINBACK, _churn_target(c))]
    chosen, total = capped(reachable, lambda c: c.lifetime_value)
    if not chosen:
        return []
    targets = [_churn_target(c) for c in chosen]
    value = ctx.money(sum(c.lifetime_value for c in chosen))
    title = (
        f"Win back {plural(len(chosen), 'customer')} who cancelled in the last "
        f"{CHURN_MAX_AGE.days} days ({value.format()} lifetime value)"
        + capped_note(len(chosen), total)
    )
    return _plain_and_discount(
        ctx,
        ActionKind.WINBACK_EMAIL,
        IssueKind.HIGH_CHURN,
        title=title,
        targets=targets,
        priors=WINBACK_PRIOR,
        code_prefix="WELCOME",
    )


def _churn_target(c: ChurnedCustomer) -> Target:
    return customer_target(c.customer_id, c.email or "", c.lifetime_value, c.name)


def _plain_and_discount(
    ctx: Context,
    kind: ActionKind,
    issue: IssueKind,
    *,
    title: str,
    targets: Sequence[Target],
    priors: Mapping[str, Decimal],
    code_prefix: str,
) -> list[Candidate]:
    """The same email without and with a discount; `priors` maps plain, then discount, variant.

    The discount variant's name carries its percentage ("discount_10"); its code is derived
    from the targets, so the same audience always gets the same code.
    """
    (plain, plain_prior), (offer, offer_prior) = priors.items()
    pct = int(offer.removeprefix("discount_"))
    code = discount_code(code_prefix, pct, (t.ref or t.key for t in targets))
    value = ctx.money(sum(t.value for t in targets))
    return [
        ctx.candidate(
            kind,
            plain,
            title=title,
            targets=targets,
            issue_kind=issue,
            expected_value=value.times(plain_prior),
        ),
        ctx.candidate(
            kind,
            offer,
            title=f"{title}, with {pct}% off",
            targets=targets,
            facts=(("pct", str(pct)), ("code", code)),
            params=(("discount_pct", str(pct)), ("discount_code", code)),
            issue_kind=issue,
            expected_value=value.times(offer_prior),
        ),
    ]


def _revenue_drop(ctx: Context) -> list[Candidate]:
    """Check for breakage first, and ask the people most likely to buy.

    A drop has many causes. When errors are elevated (and no error-spike issue already
    proposes an investigation), breakage is the first suspect and the cheapest to rule out.
    The lever that works whatever the cause is demand from customers who bought lately:
    they convert far better than cold traffic, so email them about the best seller.
    """
    candidates: list[Candidate | None] = []
    errors = sum(count for _, count in ctx.data.error_samples if count > 0)
    if IssueKind.ERROR_SPIKE not in ctx.open_issues and errors >= REVENUE_DROP_ERROR_FLOOR:
        context = (
            "Revenue is down while errors are elevated; errors that block checkout "
            "would explain the drop.\n\n"
        )
        candidates.append(error_investigation(ctx, IssueKind.REVENUE_DROP, context))
    product = best_seller(ctx.data.products)
    if product is not None:
        why = "your best seller, while revenue is down"
        candidates.append(email_campaign(ctx, product, why, IssueKind.REVENUE_DROP))
    return [c for c in candidates if c is not None]


def _error_spike(ctx: Context) -> list[Candidate]:
    """An investigation listing the most frequent errors."""
    candidate = error_investigation(ctx, IssueKind.ERROR_SPIKE, "")
    return [candidate] if candidate else []


def _low_conversion(ctx: Context) -> list[Candidate]:
    """Walk the checkout; and test a lower price on the busiest, worst-converting product.

    The price test is proposed only when its margin is wide enough for the cut to pay
    (see `engine.proposals`); otherwise price is not the lever to pull first.
    """
    worst = low_converters(ctx.data.products)
    candidates = [
        checkout_funnel(ctx),
        price_test(ctx, worst[0], -5, IssueKind.LOW_CONVERSION) if worst else None,
    ]
    return [c for c in candidates if c is not None]


_HANDLERS: dict[IssueKind, Callable[[Context], list[Candidate]]] = {
    IssueKind.ABANDONED_CARTS: _carts,
    IssueKind.PAYMENT_FAILURES: _payments,
    IssueKind.HIGH_CHURN: _churn,
    IssueKind.REVENUE_DROP: _revenue_drop,
    IssueKind.ERROR_SPIKE: _error_spike,
    IssueKind.LOW_CONVERSION: _low_conversion,
}
