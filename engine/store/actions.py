"""Proposals, their targets, decisions (audit) and the execution outbox."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.model import Action, ActionState, Candidate, RejectReason, Target, TargetState
from engine.ports import DecisionResult
from engine.store import decisions
from engine.store.action_rows import (
    load_action,
    load_actions,
    load_targets,
    new_action_id,
    to_action,
)
from engine.store.tables import ActionRow, ActionTargetRow


class SqlActionRepository:
    """Actions and their targets; decisions also write the audit, outbox and learner rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

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
        action_id = new_action_id()
        row = _action_row(
            candidate,
            action_id,
            reason=reason,
            content_hash=content_hash,
            created_at=created_at,
            expires_at=expires_at,
        )
        row.cycle_id = cycle_id
        self._session.add(row)
        self._session.flush()
        self._session.add_all(
            ActionTargetRow(
                action_id=action_id,
                target_key=target.key,
                customer_id=target.customer_id,
                email=target.email,
                ref=target.ref,
                name=target.name,
                value=target.value,
                state=TargetState.PENDING.value,
                updated_at=created_at,
            )
            for target in candidate.targets
        )
        self._session.flush()
        return to_action(row, candidate.targets)

    def get(self, action_id: str) -> Action | None:
        """One action by id."""
        return load_action(self._session, action_id)

    def find(self, states: Collection[ActionState] | None = None, limit: int = 100) -> list[Action]:
        """Actions, newest first, optionally only in some states."""
        query = select(ActionRow).order_by(ActionRow.created_at.desc(), ActionRow.id.desc())
        if states is not None:
            query = query.where(ActionRow.state.in_([state.value for state in states]))
        rows = self._session.scalars(query.limit(limit)).all()
        return load_actions(self._session, rows)

    def targets(self, action_id: str) -> list[tuple[Target, TargetState]]:
        """An action's targets with their per-target state."""
        return load_targets(self._session, action_id)

    def approve(
        self, action_id: str, actor: str, now: datetime, content_hash_seen: str | None = None
    ) -> DecisionResult:
        """Conditionally approve and queue the execution; the caller commits."""
        return decisions.approve(self._session, action_id, actor, now, content_hash_seen)

    def reject(
        self, action_id: str, actor: str, now: datetime, reason: RejectReason, note: str | None
    ) -> DecisionResult:
        """Conditionally reject a proposal, recording the reason; the caller commits."""
        return decisions.reject(self._session, action_id, actor, now, reason=reason, note=note)

    def cancel(self, action_id: str, actor: str, now: datetime) -> DecisionResult:
        """Cancel a proposal, or an approved action the worker has not claimed yet."""
        return decisions.cancel(self._session, action_id, actor, now)

    def expire_due(self, now: datetime) -> list[Action]:
        """Expire proposals whose expiry has passed; return them (the caller commits)."""
        ids = decisions.expire_due(self._session, now)
        if not ids:
            return []
        rows = self._session.scalars(
            select(ActionRow)
            .where(ActionRow.id.in_(ids))
            .order_by(ActionRow.created_at, ActionRow.id)
            .execution_options(populate_existing=True)
        ).all()
        return load_actions(self._session, rows)


def _action_row(
    candidate: Candidate,
    action_id: str,
    *,
    reason: str,
    content_hash: str,
    created_at: datetime,
    expires_at: datetime,
) -> ActionRow:
    expected = candidate.expected_value
    return ActionRow(
        id=action_id,
        kind=candidate.kind.value,
        variant=candidate.variant,
        arm=candidate.arm,
        issue_kind=candidate.issue_kind.value if candidate.issue_kind else None,
        title=candidate.title,
        state=ActionState.PROPOSED.value,
        params=[[key, value] for key, value in candidate.params],
        subject=candidate.content.subject,
        body=candidate.content.body,
        content_hash=content_hash,
        target_key=candidate.target_key,
        expected_value=expected.amount if expected else None,
        currency=expected.currency if expected else None,
        money_touching=candidate.money_touching,
        runnable=candidate.runnable,
        reason=reason,
        created_at=created_at,
        expires_at=expires_at,
        idempotency_key=action_id,
    )
