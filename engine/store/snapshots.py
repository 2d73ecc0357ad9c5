"""Stored KPI snapshots."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.model import ChurnCounts, KpiSnapshot, WindowCounts
from engine.store.tables import KpiSnapshotRow

_WINDOW_FIELDS = tuple(f.name for f in fields(WindowCounts))
_CHURN_FIELDS = tuple(f.name for f in fields(ChurnCounts))


class SqlSnapshotRepository:
    """KPI snapshots in `kpi_snapshots`, one flat row per snapshot."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, snapshot: KpiSnapshot) -> int:
        """Store a snapshot; return its id."""
        row = KpiSnapshotRow(**_columns(snapshot))
        self._session.add(row)
        self._session.flush()
        return row.id

    def latest(self) -> KpiSnapshot | None:
        """The newest snapshot."""
        query = select(KpiSnapshotRow).order_by(
            KpiSnapshotRow.taken_at.desc(), KpiSnapshotRow.id.desc()
        )
        row = self._session.scalars(query.limit(1)).first()
        return _snapshot(row) if row else None

    def since(self, start: datetime) -> list[KpiSnapshot]:
        """Snapshots taken at or after `start`, oldest first."""
        query = (
            select(KpiSnapshotRow)
            .where(KpiSnapshotRow.taken_at >= start)
            .order_by(KpiSnapshotRow.taken_at, KpiSnapshotRow.id)
        )
        return [_snapshot(row) for row in self._session.scalars(query)]


def _columns(snapshot: KpiSnapshot) -> dict[str, Any]:
    values: dict[str, Any] = {"taken_at": snapshot.taken_at, "currency": snapshot.currency}
    for name in _WINDOW_FIELDS:
        values[f"cur_{name}"] = getattr(snapshot.current, name)
        values[f"prev_{name}"] = getattr(snapshot.previous, name)
    for name in _CHURN_FIELDS:
        values[f"churn_{name}"] = getattr(snapshot.churn, name)
    return values


def _snapshot(row: KpiSnapshotRow) -> KpiSnapshot:
    return KpiSnapshot(
        taken_at=row.taken_at,
        currency=row.currency,
        current=WindowCounts(**{name: getattr(row, f"cur_{name}") for name in _WINDOW_FIELDS}),
        previous=WindowCounts(**{name: getattr(row, f"prev_{name}") for name in _WINDOW_FIELDS}),
        churn=ChurnCounts(**{name: getattr(row, f"churn_{name}") for name in _CHURN_FIELDS}),
    )
