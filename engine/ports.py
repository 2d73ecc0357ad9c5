"""Interfaces between the functional core and the imperative shell."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol, Self

from engine.lift import ActionLift
from engine.model import (
    Action,
    ActionKind,
    ActionState,
    ArmState,
    Candidate,
    ChurnCounts,
    Finding,
    Issue,
    KpiSnapshot,
    LearnEvent,
    Reach,
    RejectReason,
    ShopData,
    Target,
    TargetState,
    WindowCounts,
)


class ShopSource(Protocol):
    """Where KPIs and shop data come from (the demo shop; later SQL or Stripe)."""

    @property
    def currency(self) -> str:
        """The shop's ISO 4217 currency."""
        ...

    def sync(self, now: datetime) -> None:
        """Bring the source up to `now` (the demo shop simulates the time that passed)."""
        ...

    def window(self, start: datetime, end: datetime) -> WindowCounts:
        """Aggregates of [start, end), computed in SQL."""
        ...

    def churn(self, start: datetime, end: datetime) -> ChurnCounts:
        """Subscription churn over [start, end)."""
        ...

    def shop_data(self, now: datetime, days: int = 30) -> ShopData:
        """Targets and product economics that recover/optimize/generate read."""
        ...


class DecisionOutcome(StrEnum):
    """How a decision attempt ended."""

    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ALREADY_DECIDED = "already_decided"
    EXPIRED = "expired"
    NOT_FOUND = "not_found"
    NOT_RUNNABLE = "not_runnable"
    STALE_CONTENT = "stale_content"


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """The result of approve/reject/cancel: who decided first, and when, if not us."""

    outcome: DecisionOutcome
    action: Action | None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """True when this call made the change."""
        return self.outcome in (
            DecisionOutcome.APPROVED,
            DecisionOutcome.REJECTED,
            DecisionOutcome.CANCELLED,
        )


class SnapshotRepository(Protocol):
    """Stored KPI snapshots."""

    def add(self, snapshot: KpiSnapshot) -> int:
        """Store a snapshot; return its id."""
        ...

    def latest(self) -> KpiSnapshot | None:
        """The newest snapshot."""
        ...

    def since(self, start: datetime) -> list[KpiSnapshot]:
        """Snapshots taken at or after `start`, oldest first."""
        ...


class IssueRepository(Protocol):
    """Open and resolved issues."""

    def open_issues(self) -> list[Issue]:
        """Issues not yet resolved, most severe first."""
        ...

    def get(self, issue_id: int) -> Issue | None:
        """One issue by id."""
        ...

    def open(self, finding: Finding, now: datetime) -> Issue:
        """Open a new issue from a finding."""
        ...

    def update(self, issue_id: int, finding: Finding, now: datetime) -> Issue:
        """Refresh an open issue's metric, severity, headline and evidence."""
        ...

    def resolve(self, issue_id: int, now: datetime) -> Issue:
        """Mark an open issue resolved."""
        ...

    def snooze(self, issue_id: int, until: datetime) -> Issue:
        """Silence an issue's alerts until a moment."""
        ...


class ActionRepository(Protocol):
    """Proposals, their targets, decisions (audit) and the execution outbox."""

    def add(
        self,
        candidate: Candidate,
        *,
        reason: str,
        content_hash: str,
        created_at: datetime,
        expires_at: datetime,
        cycle_id: int | None,
    ) -> Action:
        """Store a proposal and its targets in state `proposed`; the repository makes the id."""
        ...

    def get(self, action_id: str) -> Action | None:
        """One action by id."""
        ...

    def find(self, states: Collection[ActionState] | None = None, limit: int = 100) -> list[Action]:
        """Actions, newest first, optionally only in some states."""
        ...

    def targets(self, action_id: str) -> list[tuple[Target, TargetState]]:
        """An action's targets with their per-target state."""
        ...

    def approve(
        self, action_id: str, actor: str, now: datetime, content_hash_seen: str | None = None
    ) -> DecisionResult:
        """Conditionally approve and queue the execution in one transaction."""
        ...

    def reject(
        self, action_id: str, actor: str, now: datetime, reason: RejectReason, note: str | None
    ) -> DecisionResult:
        """Conditionally reject a proposal, recording the reason."""
        ...

    def cancel(self, action_id: str, actor: str, now: datetime) -> DecisionResult:
        """Cancel a proposal, or an approved action the worker has not claimed yet."""
        ...

    def expire_due(self, now: datetime) -> list[Action]:
        """Expire proposals whose expiry has passed; return them."""
        ...


class LearnerRepository(Protocol):
    """The learner's event log and its folded state."""

    def events_after(self, event_id: int) -> list[tuple[int, LearnEvent]]:
        """Events with id greater than `event_id`, oldest first."""
        ...

    def add_event(self, event: LearnEvent) -> int:
        """Append an outcome event (decisions append theirs inside approve/reject/expire)."""
        ...

    def load(self, config_key: str = "") -> tuple[dict[str, ArmState], int]:
        """Arm states and the last event folded into them; ({}, 0) if folded under another key."""
        ...

    def save(self, arms: Iterable[ArmState], last_event_id: int, config_key: str = "") -> None:
        """Replace arm states, the cursor and the key of the configuration they were folded with."""
        ...


class CycleRepository(Protocol):
    """Cycle runs: one row per slot, so two processes never run the same slot."""

    def claim(self, slot: str, trigger: str, now: datetime) -> int | None:
        """Insert the slot's row; None when it exists already."""
        ...

    def running(self) -> int | None:
        """The id of a cycle now running, if any."""
        ...

    def finish(self, cycle_id: int, now: datetime, report: Mapping[str, Any]) -> None:
        """Mark a cycle succeeded with its report (JSON-able)."""
        ...

    def fail(self, cycle_id: int, now: datetime, error: str) -> None:
        """Mark a cycle failed with a one-line error."""
        ...

    def last_report(self) -> Mapping[str, Any] | None:
        """The report of the newest succeeded cycle."""
        ...


class LiftRepository(Protocol):
    """Measured lifts of executed actions against their held-out control."""

    def all(self) -> list[ActionLift]:
        """Every measured action, oldest first."""
        ...


class ReachRepository(Protocol):
    """Who a new e-mail action could reach now (`engine.contact_policy`'s rules, read ahead)."""

    def reach(
        self,
        now: datetime,
        *,
        email_kinds: Collection[ActionKind],
        cap: int,
        window: timedelta,
        windows: Mapping[ActionKind, timedelta],
    ) -> Reach:
        """Blocked addresses (suppressed, at `cap` in `window`) and refs measured per kind."""
        ...


class UnitOfWork(Protocol):
    """One transaction over all repositories; rolled back unless committed."""

    snapshots: SnapshotRepository
    issues: IssueRepository
    actions: ActionRepository
    learner: LearnerRepository
    cycles: CycleRepository

    @property
    def lifts(self) -> LiftRepository:
        """Measured lifts (read-only, so the store may expose a richer repository)."""
        ...

    @property
    def reach(self) -> ReachRepository:
        """Who a new e-mail action could reach now (read-only)."""
        ...

    def __enter__(self) -> Self:
        """Begin."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Commit."""
        ...
