"""The demo shop as a `ShopSource`: the simulator's clock, KPIs and shop data by SQL aggregates."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from engine.clock import require_aware
from engine.demo import DemoNotStartedError, DemoShop, tables
from engine.model import ChurnCounts, ShopData, WindowCounts
from engine.sources import demo_data
from engine.sources.demo_kpis import churn_counts, window_counts


class DemoSource:
    """Reads KPIs and targets from the demo shop's tables; `sync` runs its simulated clock."""

    def __init__(
        self,
        shop: DemoShop,
        *,
        target_limit: int = 500,
        pair_limit: int = 10,
        error_limit: int = 10,
    ) -> None:
        self.shop = shop
        self._target_limit = target_limit
        self._pair_limit = pair_limit
        self._error_limit = error_limit

    @property
    def currency(self) -> str:
        """The shop's ISO 4217 currency."""
        return self.shop.currency

    def sync(self, now: datetime) -> None:
        """Simulate the shop up to `now`."""
        self.shop.advance(require_aware(now))

    def window(self, start: datetime, end: datetime) -> WindowCounts:
        """Aggregates of [start, end), computed in SQL."""
        with self.shop.engine.connect() as connection:
            return window_counts(connection, require_aware(start), require_aware(end))

    def churn(self, start: datetime, end: datetime) -> ChurnCounts:
        """Subscription churn over [start, end)."""
        with self.shop.engine.connect() as connection:
            return churn_counts(connection, require_aware(start), require_aware(end))

    def shop_data(self, now: datetime, days: int = 30) -> ShopData:
        """Targets and product economics that recover/optimize/generate read."""
        now = require_aware(now)
        state = self.shop.state()
        if state is None:
            raise DemoNotStartedError("the demo shop has not been started")
        limit = self._target_limit
        with self.shop.engine.connect() as connection:
            names = _product_names(connection)
            buyers = demo_data.recent_buyers(connection, now, days, limit)
            return ShopData(
                currency=state.currency,
                abandoned_carts=demo_data.abandoned_carts(connection, now, names, limit),
                failed_payments=demo_data.failed_payments(connection, now, limit),
                churned_customers=demo_data.churned_customers(
                    connection, now, state.history_start, limit
                ),
                products=demo_data.product_stats(connection, now, days),
                pairs=demo_data.product_pairs(connection, now, days, self._pair_limit),
                recent_buyers=tuple((cid, email) for cid, email, _ in buyers),
                buyer_names=tuple((cid, name) for cid, _, name in buyers),
                error_samples=demo_data.error_samples(connection, now, self._error_limit),
                days=days,
            )


def _product_names(connection: sa.Connection) -> dict[int, str]:
    products = tables.products
    rows = connection.execute(sa.select(products.c.id, products.c.name))
    return dict(rows.all())
