"""Cycle runs: one row per slot, so two processes never run the same slot."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.store.sql import changed_rows, table_of, upsert_insert
from engine.store.tables import CycleRunRow

STALE_AFTER = timedelta(hours=1)  # a cycle 'running' for longer than this crashed
RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"


class SqlCycleRepository:
    """Cycle runs in `cycle_runs`, claimed with INSERT ... ON CONFLICT (slot) DO NOTHING."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def claim(self, slot: str, trigger: str, now: datetime) -> int | None:
        """Insert the slot's row in state running; None when the slot is taken already."""
        statement = (
            upsert_insert(self._session, table_of(CycleRunRow))
            .values(
                slot=slot, trigger=trigger, state=RUNNING, started_at=now, claimed_at=self._clock()
            )
            .on_conflict_do_nothing(index_elements=["slot"])
            .returning(CycleRunRow.id)
        )
        return self._session.execute(statement).scalar_one_or_none()

    def running(self) -> int | None:
        """The id of a cycle running now: claimed within the last hour of wall-clock time."""
        query = (
            select(CycleRunRow.id)
            .where(
                CycleRunRow.state == RUNNING,
                CycleRunRow.claimed_at >= self._clock() - STALE_AFTER,
            )
            .order_by(CycleRunRow.claimed_at.desc(), CycleRunRow.id.desc())
        )
        return self._session.scalars(query.limit(1)).first()

    def finish(self, cycle_id: int, now: datetime, report: Mapping[str, Any]) -> None:
        """Mark a cycle succeeded with its report (JSON-able)."""
        self._end(cycle_id, state=SUCCEEDED, finished_at=now, report=dict(report))

    def fail(self, cycle_id: int, now: datetime, error: str) -> None:
        """Mark a cycle failed with a one-line error."""
        self._end(cycle_id, state=FAILED, finished_at=now, error=" ".join(error.split()))

    def last_report(self) -> Mapping[str, Any] | None:
        """The report of the newest succeeded cycle."""
        query = (
            select(CycleRunRow.report)
            .where(CycleRunRow.state == SUCCEEDED)
            .order_by(CycleRunRow.finished_at.desc(), CycleRunRow.id.desc())
        )
        return self._session.scalars(query.limit(1)).first()

    def _end(self, cycle_id: int, **values: Any) -> None:
        statement = update(CycleRunRow).where(CycleRunRow.id == cycle_id).values(**values)
        if not changed_rows(self._session, statement):
            raise LookupError(f"no cycle run with id {cycle_id}")
