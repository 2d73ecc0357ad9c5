"""Approve, reject, cancel and expire: one conditional UPDATE each, then the audit rows.

These run inside the caller's unit of work and never commit: the caller commits, so the
state change, the decision row, the outbox row and the learner event land together or not
at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session

from engine.model import ActionState, LearnEvent, LearnEventKind, RejectReason
from engine.ports import DecisionOutcome, DecisionResult
from engine.store.action_rows import action_row, load_action
from engine.store.learner import append_event, serialize_event_writers
from engine.store.sql import changed_rows, table_of
from engine.store.tables import ActionRow, DecisionRow, ExecutionRow

SYSTEM_ACTOR = "system"
EXECUTION_QUEUED = "queued"
EXECUTION_CANCELLED = "cancelled"
_PROPOSED = ActionState.PROPOSED.value


def approve(
    session: Session, action_id: str, actor: str, now: datetime, seen: str | None
) -> DecisionResult:
    """Approve a runnable, unexpired proposal and queue its execution."""
    serialize_event_writers(session)
    conditions = [*_open_proposal(action_id, now), ActionRow.runnable.is_(True)]
    if seen is not None:
        conditions.append(ActionRow.content_hash == seen)
    if not _decide(session, conditions, ActionState.APPROVED, actor, now):
        return _refusal(session, action_id, now, seen=seen, need_runnable=True)
    row = _row(session, action_id)
    _audit(session, action_id, ActionState.APPROVED, actor, now, seen=seen)
    session.add(
        ExecutionRow(action_id=action_id, state=EXECUTION_QUEUED, attempts=0, created_at=now)
    )
    append_event(session, LearnEvent(arm=row.arm, kind=LearnEventKind.APPROVED, at=now))
    return _done(session, DecisionOutcome.APPROVED, action_id, actor, now)


def reject(
    session: Session,
    action_id: str,
    actor: str,
    now: datetime,
    *,
    reason: RejectReason,
    note: str | None,
) -> DecisionResult:
    """Reject an unexpired proposal (advice included), recording the reason."""
    serialize_event_writers(session)
    if not _decide(session, _open_proposal(action_id, now), ActionState.REJECTED, actor, now):
        return _refusal(session, action_id, now, seen=None, need_runnable=False)
    row = _row(session, action_id)
    _audit(session, action_id, ActionState.REJECTED, actor, now, reason=reason.value, note=note)
    event = LearnEvent(arm=row.arm, kind=LearnEventKind.REJECTED, at=now, reason=reason)
    append_event(session, event)
    return _done(session, DecisionOutcome.REJECTED, action_id, actor, now)


def cancel(session: Session, action_id: str, actor: str, now: datetime) -> DecisionResult:
    """Cancel a proposal, or an approved action whose execution nobody has claimed yet.

    The execution row is kept as an audit trail and moved to the terminal state
    'cancelled'; the worker only claims rows in state 'queued'. It is updated before the
    action, so a worker that claims it at the same moment either wins (the cancel is
    refused) or finds it cancelled. No learner event: the approval already counted.
    """
    serialize_event_writers(session)
    if _decide(session, _open_proposal(action_id, now), ActionState.CANCELLED, actor, now):
        _audit(session, action_id, ActionState.CANCELLED, actor, now)
        return _done(session, DecisionOutcome.CANCELLED, action_id, actor, now)
    unclaimed = update(ExecutionRow).where(
        ExecutionRow.action_id == action_id,
        ExecutionRow.state == EXECUTION_QUEUED,
        ExecutionRow.lease_owner.is_(None),
    )
    if changed_rows(session, unclaimed.values(state=EXECUTION_CANCELLED, finished_at=now)):
        approved = [ActionRow.id == action_id, ActionRow.state == ActionState.APPROVED.value]
        if not _decide(session, approved, ActionState.CANCELLED, actor, now):
            raise RuntimeError(f"action {action_id} had a queued execution but was not approved")
        _audit(session, action_id, ActionState.CANCELLED, actor, now)
        return _done(session, DecisionOutcome.CANCELLED, action_id, actor, now)
    return _refusal(session, action_id, now, seen=None, need_runnable=False)


def expire_due(session: Session, now: datetime) -> list[str]:
    """Expire every proposal whose expiry has passed; return their ids."""
    serialize_event_writers(session)
    actions = table_of(ActionRow)
    statement = (
        update(actions)
        .where(actions.c.state == _PROPOSED, actions.c.expires_at <= now)
        .values(state=ActionState.EXPIRED.value, decided_by=SYSTEM_ACTOR, decided_at=now)
        .returning(actions.c.id, actions.c.arm)
    )
    expired = sorted((str(row[0]), str(row[1])) for row in session.execute(statement))
    session.expire_all()  # loaded rows of these actions are stale now
    for action_id, arm in expired:
        _record_expiry(session, action_id, arm, now)
    return [action_id for action_id, _ in expired]


def _expire_one(session: Session, action_id: str, now: datetime) -> None:
    conditions = [
        ActionRow.id == action_id,
        ActionRow.state == _PROPOSED,
        ActionRow.expires_at <= now,
    ]
    if _decide(session, conditions, ActionState.EXPIRED, SYSTEM_ACTOR, now):
        _record_expiry(session, action_id, _row(session, action_id).arm, now)


def _record_expiry(session: Session, action_id: str, arm: str, now: datetime) -> None:
    _audit(session, action_id, ActionState.EXPIRED, SYSTEM_ACTOR, now)
    append_event(session, LearnEvent(arm=arm, kind=LearnEventKind.EXPIRED, at=now))


def _open_proposal(action_id: str, now: datetime) -> list[ColumnElement[bool]]:
    return [ActionRow.id == action_id, ActionRow.state == _PROPOSED, ActionRow.expires_at > now]


def _decide(
    session: Session,
    conditions: list[ColumnElement[bool]],
    state: ActionState,
    actor: str,
    now: datetime,
) -> bool:
    statement = (
        update(ActionRow)
        .where(*conditions)
        .values(state=state.value, decided_by=actor, decided_at=now)
    )
    return changed_rows(session, statement) == 1


def _refusal(
    session: Session, action_id: str, now: datetime, *, seen: str | None, need_runnable: bool
) -> DecisionResult:
    """Why a conditional update changed nothing, read after it (so after any winner)."""
    row = action_row(session, action_id)
    if row is None:
        return DecisionResult(DecisionOutcome.NOT_FOUND, None)
    if row.state == _PROPOSED and row.expires_at <= now:
        _expire_one(session, action_id, now)
        row = _row(session, action_id)
    action = load_action(session, action_id)
    if row.state == ActionState.EXPIRED.value:
        return DecisionResult(DecisionOutcome.EXPIRED, action, row.decided_by, row.decided_at)
    if row.state != _PROPOSED:
        return DecisionResult(
            DecisionOutcome.ALREADY_DECIDED, action, row.decided_by, row.decided_at
        )
    if need_runnable and not row.runnable:
        return DecisionResult(DecisionOutcome.NOT_RUNNABLE, action)
    if seen is not None and seen != row.content_hash:
        return DecisionResult(DecisionOutcome.STALE_CONTENT, action)
    raise RuntimeError(f"decision on action {action_id} changed nothing for no visible reason")


def _row(session: Session, action_id: str) -> ActionRow:
    row = action_row(session, action_id)
    if row is None:
        raise LookupError(f"no action with id {action_id}")
    return row


def _audit(
    session: Session,
    action_id: str,
    decision: ActionState,
    actor: str,
    now: datetime,
    *,
    seen: str | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> None:
    row = DecisionRow(
        action_id=action_id,
        decision=decision.value,
        actor=actor,
        at=now,
        content_hash_seen=seen,
        reason=reason,
        note=note,
    )
    session.add(row)


def _done(
    session: Session, outcome: DecisionOutcome, action_id: str, actor: str, now: datetime
) -> DecisionResult:
    action = load_action(session, action_id)
    if action is None:
        raise LookupError(f"no action with id {action_id}")
    return DecisionResult(outcome, action, actor, now)
