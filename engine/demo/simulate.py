"""Running the clock: simulate whole hours, a day per transaction, with responses to deliveries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from engine.clock import require_aware
from engine.demo import state as demo_state
from engine.demo.book import SubscriptionBook, hour_index
from engine.demo.buffer import Ids, Rows, stamp
from engine.demo.hourly import simulate_hour
from engine.demo.respond import Responder, pending
from engine.demo.state import DemoState
from engine.demo.world import World

Progress = Callable[[int, int], None]
_DAY_HOURS = 24


class DemoNotStartedError(RuntimeError):
    """The demo shop has no state yet: call `DemoShop.start` first."""


class ConcurrentAdvanceError(RuntimeError):
    """Another process moved the demo clock while this one was simulating."""


def ceil_hour(moment: datetime) -> int:
    """The index of the first hour starting at or after `moment`."""
    index = hour_index(moment)
    return index if stamp(index * 3600) == moment else index + 1


@dataclass(frozen=True, slots=True)
class Resume:
    """Ids and subscriptions as they stand in `state`, kept to skip reloading them next time."""

    state: DemoState
    ids: Ids
    book: SubscriptionBook


def advance(
    engine: sa.Engine,
    until: datetime,
    progress: Progress | None = None,
    resume: Resume | None = None,
) -> Resume | None:
    """Simulate every hour that starts before `until`; a no-op when the clock is past it.

    Returns what the next call may resume from; None when nothing was simulated.
    """
    until = require_aware(until)
    with engine.connect() as connection:
        loaded = demo_state.read(connection)
        if loaded is None:
            raise DemoNotStartedError("the demo shop has not been started")
        state, truth = loaded
        if until <= state.clock:
            return None
        if resume is None or resume.state != state:  # moved on, or restarted, elsewhere
            resume = Resume(state, Ids.load(connection), SubscriptionBook.load(connection))
    world = World.build(state.seed, truth, state.incident, ZoneInfo(state.timezone), state.currency)
    first, last = hour_index(state.clock), ceil_hour(until)
    days = range(first, last, _DAY_HOURS)
    for done, day_start in enumerate(days, start=1):
        day_end = min(day_start + _DAY_HOURS, last)
        with engine.begin() as connection:
            _simulate_day(connection, world, range(day_start, day_end), resume.ids, resume.book)
        if progress is not None:
            progress(done, len(days))
    return Resume(replace(state, clock=stamp(last * 3600)), resume.ids, resume.book)


def _simulate_day(
    connection: sa.Connection, world: World, hours: range, ids: Ids, book: SubscriptionBook
) -> None:
    old, new = stamp(hours.start * 3600), stamp(hours.stop * 3600)
    # Moving the clock first takes the write lock (SQLite) or row lock (PostgreSQL) up front.
    if not demo_state.move_clock(connection, old, new):
        raise ConcurrentAdvanceError(f"the demo clock moved away from {old.isoformat()}")
    rows = Rows()
    due = pending(connection, new)
    responder = Responder(connection, world, ids, rows, book)
    for hour in hours:
        simulate_hour(world, hour, ids, rows, book)
        hour_end = stamp((hour + 1) * 3600)
        while due and due[0].react_at < hour_end:
            rows.flush(connection)  # responses read the rows written before them
            responder.respond(due.pop(0), hour)
    rows.flush(connection)


def history_start(end: datetime, days: int) -> datetime:
    """The hour boundary `days` before the hour containing `end`."""
    return stamp(hour_index(require_aware(end)) * 3600) - timedelta(days=days)
