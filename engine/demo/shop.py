"""The demo shop's public face: start, advance, deliver, and read what actions achieved."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from engine.clock import require_aware
from engine.demo import state as demo_state
from engine.demo import tables
from engine.demo.deliver import DELIVERABLE, DeliveryResult, Request, deliver_all
from engine.demo.outcomes import Attribution, attribution, conversions
from engine.demo.population import populate
from engine.demo.simulate import (
    ConcurrentAdvanceError,
    DemoNotStartedError,
    Progress,
    Resume,
    advance,
    history_start,
)
from engine.demo.state import DemoState
from engine.demo.truth import Truth, draw_incident, draw_truth
from engine.demo.world import World
from engine.model import ActionKind, Target, TargetState
from engine.settings import SCENARIOS

_ADVANCE_ATTEMPTS = 5


class DemoShop:
    """A seeded, deterministic shop and SaaS writing real rows into `shop_` tables."""

    def __init__(self, engine: sa.Engine, *, timezone: ZoneInfo, currency: str = "USD") -> None:
        self.engine = engine
        self._zone = timezone
        self._currency = currency
        self._resume: Resume | None = None
        self._lock = threading.Lock()
        self._upgraded = False

    @property
    def currency(self) -> str:
        """The shop's currency: the started shop's, else the one it would start with."""
        current = self.state()
        return current.currency if current else self._currency

    def state(self) -> DemoState | None:
        """Scenario, seed, clock and incident; None before the first start."""
        with self.engine.connect() as connection:
            loaded = demo_state.read(connection)
        return loaded[0] if loaded else None

    def hidden_truth(self) -> Truth | None:
        """The seed's true rates, for tests and benchmarks; never give this to the learner."""
        with self.engine.connect() as connection:
            loaded = demo_state.read(connection)
        return loaded[1] if loaded else None

    def start(
        self,
        *,
        scenario: str,
        seed: int,
        end: datetime,
        days: int = 28,
        progress: Progress | None = None,
    ) -> DemoState:
        """Wipe the shop and seed `days` of history up to `end`, the incident under way at `end`."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown demo scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
        if days < 0 or seed < 0:
            raise ValueError("days and seed must not be negative")
        end = require_aware(end)
        begin = history_start(end, days)
        truth = draw_truth(seed)
        incident = draw_incident(seed, scenario, end)
        world = World.build(seed, truth, incident, self._zone, self._currency)
        fresh = DemoState(scenario, seed, self._currency, self._zone.key, begin, begin, incident)
        with self._lock:
            self._resume = None
            with self.engine.begin() as connection:
                tables.recreate(connection)
                populate(connection, world, begin)
                demo_state.write(connection, fresh, truth)
        self.advance(end, progress)
        return self._required_state()

    def ensure(
        self,
        *,
        scenario: str,
        seed: int,
        now: datetime,
        days: int = 28,
        progress: Progress | None = None,
    ) -> DemoState:
        """Start the shop if it never was (history ending at `now`), else advance it to `now`."""
        current = self.state()
        if current is None:
            return self.start(scenario=scenario, seed=seed, end=now, days=days, progress=progress)
        self.advance(now, progress)
        return self._required_state()

    def _required_state(self) -> DemoState:
        current = self.state()
        if current is None:
            raise DemoNotStartedError("the demo shop has not been started")
        return current

    def _upgrade(self) -> None:
        """Bring a shop seeded by an earlier version up to the current tables, once."""
        if not self._upgraded:
            with self.engine.begin() as connection:
                tables.upgrade(connection)
            self._upgraded = True

    def advance(self, until: datetime, progress: Progress | None = None) -> None:
        """Simulate the hours up to `until`; a no-op when the clock is already past it."""
        self._upgrade()
        with self._lock:
            for attempt in range(_ADVANCE_ATTEMPTS):
                resume, self._resume = self._resume, None  # dropped if the simulation fails
                try:
                    self._resume = advance(self.engine, until, progress, resume) or resume
                except ConcurrentAdvanceError:
                    # Another process simulated the same hours first; carry on from its clock.
                    if attempt + 1 == _ADVANCE_ATTEMPTS:
                        raise
                else:
                    return

    def deliver(
        self,
        action_id: str,
        kind: str,
        variant: str,
        *,
        params: Mapping[str, str],
        targets: Sequence[Target],
        at: datetime,
    ) -> list[DeliveryResult]:
        """Deliver an executed action; each (action_id, target.key) is recorded and reacts once."""
        with self.engine.begin() as connection:
            loaded = demo_state.read(connection)
            if loaded is None:
                raise DemoNotStartedError("the demo shop has not been started")
            known = kind in {k.value for k in DELIVERABLE}
            if not known:
                reason = f"the demo shop cannot deliver {kind!r}"
                return [DeliveryResult(t.key, TargetState.FAILED, detail=reason) for t in targets]
            request = Request(action_id, ActionKind(kind), variant, params, require_aware(at))
            return deliver_all(connection, loaded[0].seed, loaded[1], request, targets)

    def attribution(self, action_id: str, until: datetime) -> Attribution:
        """Orders, recovered payments and subscriptions attributed to an action before `until`."""
        with self.engine.connect() as connection:
            return attribution(connection, action_id, require_aware(until))

    def conversions(
        self,
        kind: ActionKind,
        refs: Sequence[str],
        since: datetime,
        until: datetime,
        products: Sequence[str] = (),
    ) -> dict[str, int]:
        """Which refs converted in [since, until), with the value (for lift; see `conversions`)."""
        self._upgrade()
        window = require_aware(since), require_aware(until)
        with self.engine.connect() as connection:
            return conversions(connection, kind, refs, *window, products=products)
