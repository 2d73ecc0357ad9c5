"""The active subscriptions, read from the table once and kept in step while simulating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import tables
from engine.demo.buffer import EPOCH
from engine.demo.rates import HOURS_PER_MONTH


@dataclass(frozen=True, slots=True)
class Subscription:
    """One active subscription as the simulator needs it."""

    id: int
    customer_id: int
    plan: str
    price: int
    start_hour: int  # hours since the epoch; it renews every 30 days at this hour


def hour_index(moment: datetime) -> int:
    """Whole hours since the epoch."""
    return (moment - EPOCH) // timedelta(hours=1)


class SubscriptionBook:
    """Active subscriptions by id, by billing slot (hour within the 30-day cycle) and customer."""

    def __init__(self, active: list[Subscription]) -> None:
        self._by_id: dict[int, Subscription] = {}
        self._slots: dict[int, set[int]] = {}
        self._customers: set[int] = set()
        for subscription in active:
            self.add(subscription)

    @classmethod
    def load(cls, connection: sa.Connection) -> SubscriptionBook:
        """The subscriptions not cancelled yet."""
        subs = tables.subscriptions
        rows = connection.execute(
            sa.select(subs.c.id, subs.c.customer_id, subs.c.plan, subs.c.price, subs.c.started_at)
            .where(subs.c.cancelled_at.is_(None))
            .order_by(subs.c.id)
        )
        return cls(
            [
                Subscription(
                    row.id, row.customer_id, row.plan, row.price, hour_index(as_utc(row.started_at))
                )
                for row in rows
            ]
        )

    def __len__(self) -> int:
        """The number of active subscriptions."""
        return len(self._by_id)

    def has_customer(self, customer_id: int) -> bool:
        """True when the customer already subscribes."""
        return customer_id in self._customers

    def add(self, subscription: Subscription) -> None:
        """Start tracking a new subscription."""
        self._by_id[subscription.id] = subscription
        self._slots.setdefault(subscription.start_hour % HOURS_PER_MONTH, set()).add(
            subscription.id
        )
        self._customers.add(subscription.customer_id)

    def ids(self) -> list[int]:
        """Active subscription ids in ascending order (a stable order for random picks)."""
        return sorted(self._by_id)

    def remove(self, subscription_id: int) -> Subscription:
        """Stop tracking a cancelled subscription."""
        subscription = self._by_id.pop(subscription_id)
        self._slots[subscription.start_hour % HOURS_PER_MONTH].discard(subscription_id)
        self._customers.discard(subscription.customer_id)
        return subscription

    def due(self, hour: int) -> list[Subscription]:
        """Subscriptions renewing in `hour` (a whole number of 30-day periods after their start)."""
        slot = self._slots.get(hour % HOURS_PER_MONTH, set())
        found = [self._by_id[i] for i in sorted(slot)]
        return [s for s in found if s.start_hour < hour]
