"""Monitor: derive rates and changes from a `KpiSnapshot` (pure).

Growth is a percentage (-32.0 means down 32 %); rates are fractions in 0..1. Anything whose
denominator is zero is None, never 0 or infinity: "no traffic" is not "no conversion".
"""

from __future__ import annotations

from engine.model import Kpis, KpiSnapshot
from engine.money import Money


def growth_pct(current: int, previous: int) -> float | None:
    """Change from `previous` to `current` in percent; None when `previous` is 0."""
    if previous == 0:
        return None
    return (current - previous) / previous * 100.0


def ratio(part: int, whole: int) -> float | None:
    """`part / whole`, or None when `whole` is 0."""
    if whole == 0:
        return None
    return part / whole


def derive(snapshot: KpiSnapshot) -> Kpis:
    """The KPIs people read, computed from the snapshot's raw counts."""
    current, previous = snapshot.current, snapshot.previous
    failure_rate = ratio(current.payment_failures, current.payment_attempts)
    return Kpis(
        revenue=snapshot.revenue,
        revenue_growth_pct=growth_pct(current.revenue, previous.revenue),
        orders=current.orders,
        orders_growth_pct=growth_pct(current.orders, previous.orders),
        conversion_rate=ratio(current.orders, current.sessions),
        abandoned_carts=current.abandoned_carts,
        abandonment_rate=ratio(current.abandoned_carts, current.carts),
        payment_success_rate=None if failure_rate is None else 1.0 - failure_rate,
        churn_rate=ratio(snapshot.churn.cancelled, snapshot.churn.active_at_start),
        errors=current.errors,
        refunds=Money(current.refunds, snapshot.currency),
        discounts=Money(current.discounts, snapshot.currency),
    )
