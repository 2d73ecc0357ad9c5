"""What the monitor step reads: window aggregates, churn, the snapshot and derived KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.money import Money


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Raw aggregates of one time window, as a KPI source returns them."""

    start: datetime
    end: datetime
    revenue: int  # paid order totals, minor units
    refunds: int  # minor units refunded in the window
    discounts: int  # minor units given as discounts on the window's orders
    orders: int  # paid orders
    sessions: int
    carts: int  # carts that ended (converted or abandoned) in the window
    abandoned_carts: int
    payment_attempts: int
    payment_failures: int
    errors: int


@dataclass(frozen=True, slots=True)
class ChurnCounts:
    """Subscription churn over a trailing window (default 30 days)."""

    start: datetime
    end: datetime
    active_at_start: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class KpiSnapshot:
    """The business over the last 24 h against the 24 h before, plus trailing churn."""

    taken_at: datetime
    currency: str
    current: WindowCounts
    previous: WindowCounts
    churn: ChurnCounts

    @property
    def revenue(self) -> Money:
        """Revenue of the current window."""
        return Money(self.current.revenue, self.currency)

    @property
    def previous_revenue(self) -> Money:
        """Revenue of the comparison window."""
        return Money(self.previous.revenue, self.currency)


@dataclass(frozen=True, slots=True)
class Kpis:
    """Rates and changes derived from a snapshot by `engine.kpis`; None when undefined."""

    revenue: Money
    revenue_growth_pct: float | None
    orders: int
    orders_growth_pct: float | None
    conversion_rate: float | None
    abandoned_carts: int
    abandonment_rate: float | None
    payment_success_rate: float | None
    churn_rate: float | None
    errors: int
    refunds: Money
    discounts: Money
