"""The SQL unit of work: one session (one transaction) shared by every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.ports import (
    ActionRepository,
    CycleRepository,
    IssueRepository,
    LearnerRepository,
    SnapshotRepository,
)
from engine.store.actions import SqlActionRepository
from engine.store.cycles import SqlCycleRepository
from engine.store.executions import SqlExecutionRepository
from engine.store.issues import SqlIssueRepository
from engine.store.learner import SqlLearnerRepository
from engine.store.lifts import SqlLiftRepository
from engine.store.reach import SqlReachRepository
from engine.store.slack import SqlSlackRepository
from engine.store.snapshots import SqlSnapshotRepository
from engine.store.state import SqlAppStateRepository
from engine.store.suppressions import SqlSuppressionRepository


class SqlUnitOfWork:
    """One transaction over all repositories; rolled back on exit unless committed.

    Nothing commits by itself, decisions included: call commit() before leaving the block.
    The five port repositories are typed as their ports so this class satisfies
    `engine.ports.UnitOfWork`; `slack`, `state`,
    `executions`, `lifts`, `suppressions` and `reach` are store extras.
    """

    snapshots: SnapshotRepository
    issues: IssueRepository
    actions: ActionRepository
    learner: LearnerRepository
    cycles: CycleRepository

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.snapshots = SqlSnapshotRepository(session)
        self.issues = SqlIssueRepository(session)
        self.actions = SqlActionRepository(session)
        self.learner = SqlLearnerRepository(session, clock)
        self.cycles = SqlCycleRepository(session, clock)
        self.slack = SqlSlackRepository(session)
        self.state = SqlAppStateRepository(session, clock)
        self.executions = SqlExecutionRepository(session)
        self.lifts = SqlLiftRepository(session)
        self.suppressions = SqlSuppressionRepository(session)
        self.reach = SqlReachRepository(session)

    def __enter__(self) -> Self:
        """Begin (the transaction starts with the first statement)."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and release the connection."""
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        """Commit everything done so far."""
        self.session.commit()

    def rollback(self) -> None:
        """Undo everything since the last commit."""
        self.session.rollback()
