"""The demo state row: scenario, seed, currency, timezone, clock, incident and hidden truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import tables
from engine.demo.truth import Incident, Truth, truth_from_json, truth_to_json

_ROW_ID = 1


@dataclass(frozen=True, slots=True)
class DemoState:
    """What the demo shop is simulating and how far it has got (without the hidden rates)."""

    scenario: str
    seed: int
    currency: str
    timezone: str
    history_start: datetime
    clock: datetime  # simulated until this moment (exclusive), an hour boundary
    incident: Incident | None


def read(connection: sa.Connection) -> tuple[DemoState, Truth] | None:
    """The state and truth, or None before the shop was ever started."""
    if not sa.inspect(connection).has_table(tables.state.name):
        return None
    row = connection.execute(sa.select(tables.state).where(tables.state.c.id == _ROW_ID)).first()
    if row is None:
        return None
    incident = None
    if row.incident_kind is not None:
        incident = Incident(
            row.incident_kind,
            as_utc(row.incident_onset),
            as_utc(row.incident_until),
            row.incident_magnitude,
        )
    state = DemoState(
        scenario=row.scenario,
        seed=row.seed,
        currency=row.currency,
        timezone=row.timezone,
        history_start=as_utc(row.history_start),
        clock=as_utc(row.clock),
        incident=incident,
    )
    return state, truth_from_json(row.truth)


def write(connection: sa.Connection, state: DemoState, truth: Truth) -> None:
    """Insert the state row of a freshly started shop."""
    incident = state.incident
    connection.execute(
        tables.state.insert().values(
            id=_ROW_ID,
            scenario=state.scenario,
            seed=state.seed,
            currency=state.currency,
            timezone=state.timezone,
            history_start=state.history_start,
            clock=state.clock,
            incident_kind=incident.kind if incident else None,
            incident_onset=incident.onset if incident else None,
            incident_until=incident.until if incident else None,
            incident_magnitude=incident.magnitude if incident else None,
            truth=truth_to_json(truth),
        )
    )


def move_clock(connection: sa.Connection, old: datetime, new: datetime) -> bool:
    """Advance the clock from `old` to `new`; False when someone else moved it first."""
    table = tables.state
    result = connection.execute(
        table.update().where(table.c.id == _ROW_ID, table.c.clock == old).values(clock=new)
    )
    return result.rowcount == 1
