"""The learner's event log (`learner_events`) and folded arm states (`learner_arms`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.model import ArmState, LearnEvent, LearnEventKind, RejectReason
from engine.store.state import read_state, write_state
from engine.store.tables import LearnerArmRow, LearnerEventRow

CURSOR_KEY = "learner_cursor"
CONFIG_KEY = "learner_config"  # the fingerprint of the LearnConfig the arms were folded with
_EVENT_LOCK = 7_346_002  # PostgreSQL advisory lock id serializing learner-event writers
_ARM_FIELDS = tuple(f.name for f in fields(ArmState) if f.name != "arm")


def serialize_event_writers(session: Session) -> None:
    """Make transactions that append learner events commit in id order.

    PostgreSQL hands out sequence ids before commit, so without this a reader could see
    event 42 before a slower transaction commits event 41 and move its cursor past 41 for
    good. A transaction-scoped advisory lock makes writers take ids one transaction at a
    time. SQLite serializes writers already. Take it before any row lock to keep one order.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EVENT_LOCK})


def append_event(session: Session, event: LearnEvent) -> int:
    """Append one event; return its id."""
    serialize_event_writers(session)
    statement = insert(LearnerEventRow).values(
        arm=event.arm,
        kind=event.kind.value,
        at=event.at,
        reason=event.reason.value if event.reason else None,
        value=event.value,
        expected=event.expected,
        noise=event.noise,
    )
    return int(session.execute(statement.returning(LearnerEventRow.id)).scalar_one())


class SqlLearnerRepository:
    """The learner's event log and its folded state."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def events_after(self, event_id: int) -> list[tuple[int, LearnEvent]]:
        """Events with id greater than `event_id`, oldest first."""
        query = (
            select(LearnerEventRow)
            .where(LearnerEventRow.id > event_id)
            .order_by(LearnerEventRow.id)
        )
        return [(row.id, _event(row)) for row in self._session.scalars(query)]

    def add_event(self, event: LearnEvent) -> int:
        """Append an outcome event (decisions append theirs inside approve/reject/expire)."""
        return append_event(self._session, event)

    def load(self, config_key: str = "") -> tuple[dict[str, ArmState], int]:
        """Arm states and the id of the last event folded into them; ({}, 0) when empty.

        Also ({}, 0) when they were folded under another learner configuration (`config_key`):
        the whole event log is then folded again, so the state is what the new settings give.
        """
        if (read_state(self._session, CONFIG_KEY) or "") != config_key:
            return {}, 0
        arms = {
            row.arm: arm_from_json(row.arm, row.state)
            for row in self._session.scalars(select(LearnerArmRow).order_by(LearnerArmRow.arm))
        }
        cursor = read_state(self._session, CURSOR_KEY)
        return arms, int(cursor) if cursor is not None else 0

    def save(self, arms: Iterable[ArmState], last_event_id: int, config_key: str = "") -> None:
        """Replace all arm states, the cursor and the configuration they were folded with."""
        now = self._clock()
        rows = [{"arm": arm.arm, "state": arm_to_json(arm), "updated_at": now} for arm in arms]
        self._session.execute(delete(LearnerArmRow))
        if rows:
            self._session.execute(insert(LearnerArmRow), rows)
        write_state(self._session, CURSOR_KEY, str(last_event_id), now)
        write_state(self._session, CONFIG_KEY, config_key, now)


def _event(row: LearnerEventRow) -> LearnEvent:
    return LearnEvent(
        arm=row.arm,
        kind=LearnEventKind(row.kind),
        at=row.at,
        reason=RejectReason(row.reason) if row.reason else None,
        value=row.value,
        expected=row.expected,
        noise=row.noise,
    )


def arm_to_json(arm: ArmState) -> dict[str, Any]:
    """An arm's state as a JSON object (times as ISO 8601), without its name."""
    data = {name: getattr(arm, name) for name in _ARM_FIELDS}
    at = data["updated_at"]
    data["updated_at"] = at.isoformat() if at is not None else None
    return data


def arm_from_json(arm: str, data: dict[str, Any]) -> ArmState:
    """The arm state stored by `arm_to_json`; fields it lacks take their defaults."""
    known = {name: data[name] for name in _ARM_FIELDS if name in data}
    at = known.get("updated_at")
    known["updated_at"] = datetime.fromisoformat(at) if at is not None else None
    return ArmState(arm, **known)
