"""Measured lift as outcome rows: which executions are due, and every measurement so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.lift import ActionLift, Group, incremental_error
from engine.model import ActionKind, ActionState, LearnEvent, LearnEventKind
from engine.store.learner import append_event
from engine.store.tables import ActionRow, ExecutionRow, OutcomeRow

LIFT = "lift"
_MEASURED_STATES = (ActionState.SUCCEEDED.value, ActionState.UNKNOWN.value)


def _group(raw: object) -> Group:
    values = list(raw) if isinstance(raw, list) else [0, 0, 0, 0.0]
    return Group(int(values[0]), int(values[1]), int(values[2]), float(values[3]))


@dataclass(frozen=True, slots=True)
class DueLift:
    """An executed action whose attribution window has closed: what measuring it needs."""

    action_id: str
    kind: ActionKind
    started_at: datetime
    params: tuple[tuple[str, str], ...]  # the action's, e.g. the offered products


class SqlLiftRepository:
    """Lift measurements stored as `outcomes` rows of kind 'lift'."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def due(self, now: datetime, windows: Mapping[ActionKind, timedelta]) -> list[DueLift]:
        """Executed actions whose attribution window has closed and that are not measured."""
        measured = select(OutcomeRow.action_id).where(OutcomeRow.kind == LIFT)
        found: list[DueLift] = []
        for kind, window in windows.items():
            query = (
                select(ExecutionRow.action_id, ExecutionRow.started_at, ActionRow.params)
                .join(ActionRow, ActionRow.id == ExecutionRow.action_id)
                .where(
                    ActionRow.kind == kind.value,
                    ExecutionRow.state.in_(_MEASURED_STATES),
                    ExecutionRow.finished_at <= now - window,
                    ExecutionRow.action_id.not_in(measured),
                )
                .order_by(ExecutionRow.id)
            )
            found.extend(
                DueLift(
                    str(action_id), kind, started_at, tuple((str(k), str(v)) for k, v in params)
                )
                for action_id, started_at, params in self._session.execute(query)
                if started_at is not None
            )
        return found

    def add(self, lift: ActionLift, observed_at: datetime, currency: str) -> int:
        """Store one action's measurement and tell the learner its incremental revenue."""
        treated, control = lift.treated, lift.control
        # Without a control group (fewer targets than one held-out share) nothing was measured:
        # the row is kept for the record at 0 and the learner is told nothing.
        measured = control.targets > 0
        expected = control.value * treated.targets / control.targets if measured else 0
        incremental = round(treated.value - expected) if measured else 0
        self._session.add(
            OutcomeRow(
                action_id=lift.action_id,
                kind=LIFT,
                value=incremental,
                currency=currency,
                observed_at=observed_at,
                detail={
                    "treated": [
                        treated.targets,
                        treated.conversions,
                        treated.value,
                        treated.value_sq,
                    ],
                    "control": [
                        control.targets,
                        control.conversions,
                        control.value,
                        control.value_sq,
                    ],
                },
            )
        )
        if measured:
            self._tell_learner(lift, incremental, observed_at)
        return incremental

    def _tell_learner(self, lift: ActionLift, incremental: int, observed_at: datetime) -> None:
        """A VALUE event: what the run earned against what its treated share was expected to."""
        query = select(ActionRow.arm, ActionRow.expected_value).where(
            ActionRow.id == lift.action_id
        )
        row = self._session.execute(query).one_or_none()
        if row is None:
            return
        arm, proposed = row
        reached = lift.treated.targets + lift.control.targets
        expected = round((proposed or 0) * lift.treated.targets / reached)
        noise = round(incremental_error(lift))
        event = LearnEvent(
            arm=arm,
            kind=LearnEventKind.VALUE,
            at=observed_at,
            value=incremental,
            expected=expected,
            noise=noise,
        )
        append_event(self._session, event)

    def all(self) -> list[ActionLift]:
        """Every measured action, oldest first, for pooling per kind."""
        query = (
            select(OutcomeRow.action_id, ActionRow.kind, OutcomeRow.detail)
            .join(ActionRow, ActionRow.id == OutcomeRow.action_id)
            .where(OutcomeRow.kind == LIFT)
            .order_by(OutcomeRow.id)
        )
        return [
            ActionLift(str(action_id), ActionKind(kind), _group(d["treated"]), _group(d["control"]))
            for action_id, kind, d in self._session.execute(query)
            if isinstance(d, dict)
        ]
