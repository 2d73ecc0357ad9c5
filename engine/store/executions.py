"""The execution outbox: leases on `executions`, per-target results, outcomes, suppressions.

A claim is one UPDATE whose WHERE picks the oldest claimable row through a sub-select
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serializes writers), so two workers never
hold the same execution. Each method runs in the caller's unit of work and never commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from engine.execution_ports import ExecutionJob, ExecutionReport, TargetResult
from engine.model import ActionKind, ActionState, LearnEvent, LearnEventKind, Target, TargetState
from engine.model.reach import REF_KINDS
from engine.store.action_rows import action_row
from engine.store.decisions import EXECUTION_QUEUED
from engine.store.learner import append_event, serialize_event_writers
from engine.store.reach import email_sends, measured_refs
from engine.store.sql import changed_rows, table_of
from engine.store.tables import (
    ActionRow,
    ActionTargetRow,
    ExecutionRow,
    OutcomeRow,
)

EXECUTION_RUNNING = "running"
IN_FLIGHT = "in_flight"  # action_targets.detail while a send is under way
_AUTHORISED = (ActionState.APPROVED.value, ActionState.RUNNING.value)
_PENDING = TargetState.PENDING.value


@dataclass(frozen=True, slots=True)
class Claim:
    """An execution this worker now holds the lease of."""

    execution_id: int
    action_id: str
    attempts: int


@dataclass(frozen=True, slots=True)
class TargetRecord:
    """One target as stored: its state and whether a send of it was in flight."""

    target: Target
    state: TargetState
    in_flight: bool
    detail: str | None = None


def _claimable(now: datetime) -> ColumnElement[bool]:
    authorised = select(ActionRow.id).where(ActionRow.state.in_(_AUTHORISED))
    return and_(
        ExecutionRow.action_id.in_(authorised),
        or_(
            and_(ExecutionRow.state == EXECUTION_QUEUED, ExecutionRow.lease_owner.is_(None)),
            and_(ExecutionRow.state == EXECUTION_RUNNING, ExecutionRow.lease_expires_at <= now),
        ),
    )


class SqlExecutionRepository:
    """Leases, target results and outcomes of approved actions."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, owner: str, now: datetime, lease: timedelta) -> Claim | None:
        """Take the oldest queued (or lease-expired) execution of an approved action."""
        pick = (
            select(ExecutionRow.id)
            .where(_claimable(now))
            .order_by(ExecutionRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        executions = table_of(ExecutionRow)
        statement = (
            update(executions)
            .where(executions.c.id == pick)
            .values(
                state=EXECUTION_RUNNING,
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=executions.c.attempts + 1,
                started_at=func.coalesce(executions.c.started_at, now),
            )
            .returning(executions.c.id, executions.c.action_id, executions.c.attempts)
        )
        row = self._session.execute(statement).first()
        if row is None:
            return None
        running = update(ActionRow).where(ActionRow.id == row[1], ActionRow.state.in_(_AUTHORISED))
        changed_rows(self._session, running.values(state=ActionState.RUNNING.value))
        return Claim(int(row[0]), str(row[1]), int(row[2]))

    def renew(self, claim: Claim, owner: str, now: datetime, lease: timedelta) -> bool:
        """Extend the lease; False when another worker has taken it over."""
        statement = (
            update(ExecutionRow)
            .where(
                ExecutionRow.id == claim.execution_id,
                ExecutionRow.lease_owner == owner,
                ExecutionRow.state == EXECUTION_RUNNING,
            )
            .values(lease_expires_at=now + lease)
        )
        return changed_rows(self._session, statement) == 1

    def job(self, action_id: str, now: datetime) -> ExecutionJob:
        """The approved action as the executor sees it."""
        row = action_row(self._session, action_id)
        if row is None:
            raise LookupError(f"no action with id {action_id}")
        return job_of(row, now)

    def targets(self, action_id: str) -> list[TargetRecord]:
        """The action's targets in proposal order with their states."""
        query = (
            select(ActionTargetRow)
            .where(ActionTargetRow.action_id == action_id)
            .order_by(ActionTargetRow.id)
        )
        return [_record(row) for row in self._session.scalars(query)]

    def execution(self, action_id: str) -> ExecutionRow | None:
        """The action's execution row, if it was ever approved."""
        query = select(ExecutionRow).where(ExecutionRow.action_id == action_id)
        return self._session.scalars(query).first()

    def set_states(self, action_id: str, results: Sequence[TargetResult], now: datetime) -> None:
        """Record results of targets still pending; a final state is never overwritten."""
        if not results:
            return
        targets = table_of(ActionTargetRow)
        statement = (
            update(targets)
            .where(
                targets.c.action_id == action_id,
                targets.c.target_key == bindparam("key"),
                targets.c.state == _PENDING,
            )
            .values(state=bindparam("new_state"), detail=bindparam("new_detail"), updated_at=now)
        )
        rows = [
            {"key": r.target_key, "new_state": r.state.value, "new_detail": r.detail or None}
            for r in results
        ]
        self._session.connection().execute(statement, rows)
        self._session.expire_all()

    def mark_in_flight(self, action_id: str, keys: Collection[str], now: datetime) -> None:
        """Note that sends to these pending targets are about to start."""
        statement = (
            update(ActionTargetRow)
            .where(
                ActionTargetRow.action_id == action_id,
                ActionTargetRow.target_key.in_(list(keys)),
                ActionTargetRow.state == _PENDING,
            )
            .values(detail=IN_FLIGHT, updated_at=now)
        )
        changed_rows(self._session, statement)

    def recent_sends(
        self, emails: Collection[str], kinds: Collection[str], since: datetime, action_id: str
    ) -> dict[str, int]:
        """E-mails sent to each address since `since` by other actions of `kinds`."""
        wanted = sorted({email.strip().lower() for email in emails})
        counts: dict[str, int] = {}
        address = func.lower(ActionTargetRow.email)
        for start in range(0, len(wanted), 500):
            query = email_sends(kinds, since).where(
                address.in_(wanted[start : start + 500]), ActionTargetRow.action_id != action_id
            )
            counts.update({str(email): int(count) for email, count in self._session.execute(query)})
        return counts

    def measuring(
        self, kind: ActionKind, refs: Collection[str], *, since: datetime, action_id: str
    ) -> set[str]:
        """Of `refs`, those sent to or held out by another action of `kind` since `since`."""
        column = ActionTargetRow.ref if kind in REF_KINDS else ActionTargetRow.customer_id
        wanted = sorted(refs)
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            query = measured_refs(kind, since).where(
                column.in_(wanted[start : start + 500]), ActionTargetRow.action_id != action_id
            )
            found.update(str(ref) for ref in self._session.scalars(query))
        return found

    def finish(self, claim: Claim, owner: str, report: ExecutionReport) -> bool:
        """End the execution and the action, append the learner event and the outcome row."""
        serialize_event_writers(self._session)
        done = (
            update(ExecutionRow)
            .where(
                ExecutionRow.id == claim.execution_id,
                ExecutionRow.lease_owner == owner,
                ExecutionRow.state == EXECUTION_RUNNING,
            )
            .values(state=report.state.value, finished_at=report.finished_at, error=report.error)
        )
        if changed_rows(self._session, done) != 1:
            return False
        row = action_row(self._session, claim.action_id)
        if row is None:
            raise LookupError(f"no action with id {claim.action_id}")
        row.state = report.state.value
        self._session.add(_outcome_row(row, report))
        kind = _learn_kind(report)
        if kind is not None:
            append_event(self._session, LearnEvent(arm=row.arm, kind=kind, at=report.finished_at))
        return True


def job_of(row: ActionRow, now: datetime) -> ExecutionJob:
    """An action row as an executor job."""
    return ExecutionJob(
        action_id=row.id,
        kind=ActionKind(row.kind),
        variant=row.variant,
        subject=row.subject,
        body=row.body,
        params=tuple((str(key), str(value)) for key, value in row.params),
        at=now,
    )


def _learn_kind(report: ExecutionReport) -> LearnEventKind | None:
    if report.state is ActionState.SUCCEEDED:
        return LearnEventKind.SUCCEEDED
    if report.state is ActionState.FAILED:
        return LearnEventKind.FAILED
    # Unknown: the sent targets count as a success; ambiguity alone is no failure.
    return LearnEventKind.SUCCEEDED if report.count(TargetState.SENT) else None


def _outcome_row(row: ActionRow, report: ExecutionReport) -> OutcomeRow:
    detail: dict[str, Any] = {"state": report.state.value, "targets": dict(report.counts)}
    if report.error:
        detail["error"] = report.error
    return OutcomeRow(
        action_id=row.id,
        kind="execution",
        value=0,
        currency=row.currency or "USD",
        observed_at=report.finished_at,
        detail=detail,
    )


def _record(row: ActionTargetRow) -> TargetRecord:
    target = Target(
        key=row.target_key,
        customer_id=row.customer_id,
        email=row.email,
        value=row.value,
        ref=row.ref,
        name=row.name,
    )
    return TargetRecord(target, TargetState(row.state), row.detail == IN_FLIGHT, row.detail)
