"""A Hypothesis state machine over proposals, clicks, crashes, restarts and provider faults.

The provider is SMTP-like (no idempotency key: every call is an effect), the hardest case.
Invariants: at most one effect per action and target; no effect without an authorised
approval; every action is terminal or visibly pending, and terminal once the dust settles.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)
from sqlalchemy import select

from engine.execution_ports import Executor
from engine.model import ActionKind, ActionState
from engine.store import Database
from engine.store.tables import ExecutionRow
from engine.worker import CRASH_POINTS, Worker, WorkerConfig
from tests.engine.executors.support import (
    Clock,
    CrashAt,
    Provider,
    Reports,
    SimulatedCrash,
    candidate_with,
)

LEASE = timedelta(minutes=5)
TERMINAL = {
    ActionState.SUCCEEDED,
    ActionState.FAILED,
    ActionState.UNKNOWN,
    ActionState.CANCELLED,
    ActionState.REJECTED,
    ActionState.EXPIRED,
}


class ExecutionMachine(RuleBasedStateMachine):
    """Clicks, crashes and time against one store and one SMTP-like provider."""

    actions = Bundle("actions")

    def __init__(self) -> None:
        super().__init__()
        self.database = Database("sqlite://")
        self.database.upgrade()
        self.clock = Clock()
        self.provider = Provider(idempotent=False)
        self.authorised: set[str] = set()
        self.workers = 0

    def worker(self, crash: CrashAt | None = None) -> Worker:
        """A new worker process (its own lease owner)."""
        self.workers += 1
        executors: dict[ActionKind, Executor] = {ActionKind.CART_RECOVERY_EMAIL: self.provider}
        config = WorkerConfig(holdout=0.25, lease=LEASE, chunk=2, owner=f"w{self.workers}")
        return Worker(
            self.database.uow,
            executors,
            Reports(),
            config=config,
            clock=self.clock,
            crash=crash or CrashAt(),
        )

    @rule(target=actions, count=st.integers(1, 5))
    def propose(self, count: int) -> str:
        """A new proposal with `count` targets."""
        with self.database.uow() as uow:
            action = uow.actions.add(
                candidate_with(count),
                reason="test",
                content_hash="h",
                created_at=self.clock(),
                expires_at=self.clock() + timedelta(hours=1),
                cycle_id=None,
            )
            uow.commit()
        return action.id

    @rule(action_id=actions, actor=st.sampled_from(["U1", "U2"]))
    def click_approve(self, action_id: str, actor: str) -> None:
        """Approve (again, when Slack redelivers or a second approver clicks)."""
        with self.database.uow() as uow:
            result = uow.actions.approve(action_id, actor, self.clock())
            uow.commit()
        if result.ok:
            assert action_id not in self.authorised
            self.authorised.add(action_id)

    @rule(action_id=actions)
    def cancel(self, action_id: str) -> None:
        """Cancel a proposal or an unclaimed approval."""
        with self.database.uow() as uow:
            uow.actions.cancel(action_id, "U1", self.clock())
            uow.commit()

    @rule(point=st.sampled_from(CRASH_POINTS), nth=st.integers(1, 2))
    def crash(self, point: str, nth: int) -> None:
        """A worker that dies at a named point."""
        with contextlib.suppress(SimulatedCrash):
            self.worker(CrashAt(point, nth)).run_once()

    @rule()
    def restart(self) -> None:
        """A fresh worker process."""
        self.worker().run_once()

    @rule(down=st.booleans())
    def provider_fault(self, down: bool) -> None:
        """The provider goes down or comes back."""
        self.provider.down = down

    @rule(minutes=st.integers(1, 10))
    def advance_time(self, minutes: int) -> None:
        """Time passes; leases of dead workers expire."""
        self.clock.advance(timedelta(minutes=minutes))

    @rule(action_id=consumes(actions))
    def forget(self, action_id: str) -> None:
        """Stop clicking on an action (it stays in the store)."""
        del action_id

    @invariant()
    def at_most_one_effect_per_target_and_only_when_approved(self) -> None:
        """No duplicate effects; no effect of an action nobody authorised."""
        seen = [(action_id, target) for action_id, target, _ in self.provider.effects]
        assert len(seen) == len(set(seen))
        assert {action_id for action_id, _ in seen} <= self.authorised

    @invariant()
    def every_action_is_terminal_or_visibly_pending(self) -> None:
        """Approved means queued; running means leased; anything else is terminal or proposed."""
        with self.database.session() as session:
            executions = {row.action_id: row for row in session.scalars(select(ExecutionRow))}
        with self.database.uow() as uow:
            actions = uow.actions.find(limit=1000)
        for action in actions:
            execution = executions.get(action.id)
            if action.state is ActionState.APPROVED:
                assert execution is not None
                assert execution.state == "queued"
            elif action.state is ActionState.RUNNING:
                assert execution is not None
                assert execution.lease_owner is not None
            else:
                assert action.state in TERMINAL | {ActionState.PROPOSED}

    def teardown(self) -> None:
        """Once leases expire and the provider is up, every approved action ends terminal."""
        try:
            self.provider.down = False
            self.clock.advance(LEASE + timedelta(seconds=1))
            self.worker().run_once()
            with self.database.uow() as uow:
                for action_id in self.authorised:
                    action = uow.actions.get(action_id)
                    assert action is not None
                    assert action.state in TERMINAL
            self.at_most_one_effect_per_target_and_only_when_approved()
        finally:
            self.database.dispose()


ExecutionMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestExecutionMachine = ExecutionMachine.TestCase
