"""What an execution did: the report derived from its targets, and a notifier that logs it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from engine.execution_ports import ExecutionReport
from engine.logs import event
from engine.model import ActionKind, ActionState, TargetState
from engine.store.executions import TargetRecord

if TYPE_CHECKING:
    from engine.store import SqlUnitOfWork

log = logging.getLogger("income.worker")


class LogNotifier:
    """Tells the log how an execution went; `unknown` targets are logged as warnings."""

    def execution_finished(self, report: ExecutionReport) -> None:
        """Log one line per finished execution."""
        level = logging.WARNING if report.count(TargetState.UNKNOWN) else logging.INFO
        event(
            log,
            "execution_finished",
            level,
            action=report.action_id,
            state=report.state.value,
            **dict(report.counts),
        )

    def lift_measured(self, action_id: str, lift: str) -> None:
        """Log the measured lift."""
        event(log, "lift_measured", action=action_id, lift=lift)


def summarise(
    action_id: str,
    kind: ActionKind,
    records: Sequence[TargetRecord],
    now: datetime,
    error: str | None,
) -> ExecutionReport:
    """The execution's report: per-state counts and the action's terminal state."""
    counts = dict(count_states(records))
    sent, failed = counts.get("sent", 0), counts.get("failed", 0)
    if error is not None:
        state = ActionState.FAILED
    elif counts.get("unknown", 0):
        state = ActionState.UNKNOWN
    elif sent or not failed:
        state = ActionState.SUCCEEDED
    else:
        state = ActionState.FAILED
        error = next((r.detail for r in records if r.state is TargetState.FAILED), None)
    return ExecutionReport(action_id, kind, state, tuple(sorted(counts.items())), now, error)


def count_states(records: Sequence[TargetRecord]) -> tuple[tuple[str, int], ...]:
    """How many targets are in each state, sorted by state name."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record.state.value] = counts.get(record.state.value, 0) + 1
    return tuple(sorted(counts.items()))


def load_report(uow: SqlUnitOfWork, action_id: str) -> ExecutionReport | None:
    """Where an approved action's execution stands, for cards and `income status`.

    None before approval; while it runs, the state is `running` (or `queued`) and the counts
    are those recorded so far.
    """
    execution = uow.executions.execution(action_id)
    action = uow.actions.get(action_id)
    if execution is None or action is None:
        return None
    return ExecutionReport(
        action_id=action_id,
        kind=action.candidate.kind,
        state=action.state,
        counts=count_states(uow.executions.targets(action_id)),
        finished_at=execution.finished_at or execution.started_at or execution.created_at,
        error=execution.error,
    )
