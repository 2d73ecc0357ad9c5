"""Row ids handed out in simulation order, and rows buffered for bulk inserts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from engine.demo import tables

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Row = dict[str, Any]
_COUNTED = (
    tables.sessions,
    tables.carts,
    tables.orders,
    tables.payments,
    tables.subscriptions,
    tables.errors,
)


def stamp(seconds: int) -> datetime:
    """The UTC moment `seconds` after the epoch."""
    return datetime.fromtimestamp(seconds, UTC)


def epoch_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch."""
    return (moment - EPOCH) // timedelta(seconds=1)


class Ids:
    """The next id of each table; ids follow simulation order, so reruns give the same ids."""

    def __init__(self, next_ids: dict[str, int]) -> None:
        self._next = next_ids

    @classmethod
    def load(cls, connection: sa.Connection) -> Ids:
        """Continue after the highest id stored in each table."""
        next_ids = {}
        for table in _COUNTED:
            highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar()
            next_ids[table.name] = (highest or 0) + 1
        return cls(next_ids)

    def take(self, table: sa.Table, count: int) -> list[int]:
        """`count` fresh ids for `table`."""
        first = self._next[table.name]
        self._next[table.name] = first + count
        return list(range(first, first + count))

    def one(self, table: sa.Table) -> int:
        """One fresh id for `table`."""
        return self.take(table, 1)[0]


class Rows:
    """Rows waiting to be inserted, and subscription cancellations waiting to be applied."""

    def __init__(self) -> None:
        self.inserts: defaultdict[str, list[Row]] = defaultdict(list)
        self.cancellations: list[Row] = []

    def add(self, table: sa.Table, rows: list[Row]) -> None:
        """Queue rows for `table`."""
        self.inserts[table.name].extend(rows)

    def cancel(self, subscription_id: int, at: datetime) -> None:
        """Queue setting a subscription's `cancelled_at`."""
        self.cancellations.append({"sub_id": subscription_id, "at": at})

    def flush(self, connection: sa.Connection) -> int:
        """Insert everything queued (parents before children), then cancel; return the row count."""
        written = 0
        for table in tables.METADATA.sorted_tables:
            batch = self.inserts.pop(table.name, None)
            if batch:
                connection.execute(table.insert(), batch)
                written += len(batch)
        if self.cancellations:
            subs = tables.subscriptions
            statement = (
                subs.update()
                .where(subs.c.id == sa.bindparam("sub_id"))
                .values(cancelled_at=sa.bindparam("at"))
            )
            connection.execute(statement, self.cancellations)
            written += len(self.cancellations)
            self.cancellations = []
        return written
