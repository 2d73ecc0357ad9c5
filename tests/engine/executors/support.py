"""Shared pieces of the execution tests: a recording provider, approvals, crashes, a clock."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from engine.execution_ports import Delivery, ExecutionJob, ExecutionReport, TargetResult
from engine.model import ActionKind, Candidate, Target, TargetState
from engine.store import Database
from tests.conftest import T0, sample_candidate


class SimulatedCrash(BaseException):
    """The process dies at a named point (BaseException: nothing in the worker catches it)."""


@dataclass
class CrashAt:
    """A crash hook that kills the worker the `nth` time it passes `point`."""

    point: str | None = None
    nth: int = 1
    seen: int = 0

    def __call__(self, point: str) -> None:
        """Raise SimulatedCrash at the chosen passage."""
        if point == self.point:
            self.seen += 1
            if self.seen == self.nth:
                raise SimulatedCrash(point)


@dataclass
class Clock:
    """A settable clock."""

    now: datetime = T0

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.now += delta


@dataclass
class Provider:
    """A provider that records effects; an idempotent one applies each key once."""

    idempotent: bool = True
    down: bool = False
    effects: list[tuple[str, str, str]] = field(default_factory=list)  # action, target, key
    calls: list[str] = field(default_factory=list)  # every key it was sent, repeats included
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, job: ExecutionJob) -> Delivery:
        """A session for one action."""
        return _Session(self, job)

    def effect_count(self, action_id: str, target_key: str) -> int:
        """How many times the world saw this (action, target)."""
        return sum(1 for a, t, _ in self.effects if (a, t) == (action_id, target_key))


@dataclass
class _Session:
    provider: Provider
    job: ExecutionJob

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        results = []
        for target, key in zip(targets, keys, strict=True):
            with self.provider.lock:
                self.provider.calls.append(key)
                if self.provider.down:
                    results.append(TargetResult(target.key, TargetState.FAILED, "provider down"))
                    continue
                seen = any(k == key for _, _, k in self.provider.effects)
                if not (seen and self.provider.idempotent):
                    self.provider.effects.append((self.job.action_id, target.key, key))
            results.append(TargetResult(target.key, TargetState.SENT))
        return results

    def close(self) -> None:
        return None


@dataclass
class Reports:
    """A notifier that keeps every report."""

    items: list[ExecutionReport] = field(default_factory=list)
    lifts: list[tuple[str, str]] = field(default_factory=list)

    def execution_finished(self, report: ExecutionReport) -> None:
        """Keep the report."""
        self.items.append(report)

    def lift_measured(self, action_id: str, lift: str) -> None:
        """Keep the measured lift."""
        self.lifts.append((action_id, lift))


def candidate_with(count: int, kind: ActionKind = ActionKind.CART_RECOVERY_EMAIL) -> Candidate:
    """A candidate of `kind` with `count` distinct targets."""
    targets = tuple(
        Target(
            key=f"cart:{i}", customer_id=f"{i}", email=f"c{i}@example.com", value=100, ref=f"{i}"
        )
        for i in range(count)
    )
    return replace(sample_candidate(), kind=kind, targets=targets)


def approved(database: Database, candidate: Candidate, now: datetime = T0) -> str:
    """Store a proposal and approve it; return the action id."""
    with database.uow() as uow:
        action = uow.actions.add(
            candidate,
            reason="test",
            content_hash="h",
            created_at=now,
            expires_at=now + timedelta(hours=24),
            cycle_id=None,
        )
        result = uow.actions.approve(action.id, "U1", now)
        uow.commit()
    assert result.ok
    return action.id


def target_states(database: Database, action_id: str) -> dict[str, TargetState]:
    """Each target's state."""
    with database.uow() as uow:
        return {target.key: state for target, state in uow.actions.targets(action_id)}
