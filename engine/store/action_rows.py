"""Reading actions back: rows of `actions` and `action_targets` to domain `Action`s."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.model import (
    Action,
    ActionKind,
    ActionState,
    Candidate,
    Content,
    IssueKind,
    Target,
    TargetState,
)
from engine.money import Money
from engine.store.tables import ActionRow, ActionTargetRow

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # lowercase RFC 4648 base32
_ID_LENGTH = 9


def new_action_id() -> str:
    """An opaque, unguessable action id: 'a' and 9 lowercase base32 characters."""
    return "a" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def action_row(session: Session, action_id: str) -> ActionRow | None:
    """The action's row, re-read from the database (not a stale identity-map copy)."""
    return session.get(ActionRow, action_id, populate_existing=True)


def load_action(session: Session, action_id: str) -> Action | None:
    """One action with its targets."""
    row = action_row(session, action_id)
    if row is None:
        return None
    return to_action(row, [target for target, _ in load_targets(session, action_id)])


def load_actions(session: Session, rows: Sequence[ActionRow]) -> list[Action]:
    """Several actions, their targets fetched in one query."""
    by_action: dict[str, list[Target]] = defaultdict(list)
    if rows:
        query = (
            select(ActionTargetRow)
            .where(ActionTargetRow.action_id.in_([row.id for row in rows]))
            .order_by(ActionTargetRow.id)
        )
        for target_row in session.scalars(query):
            by_action[target_row.action_id].append(_target(target_row))
    return [to_action(row, by_action[row.id]) for row in rows]


def load_targets(session: Session, action_id: str) -> list[tuple[Target, TargetState]]:
    """An action's targets in the order they were proposed, with their states."""
    query = (
        select(ActionTargetRow)
        .where(ActionTargetRow.action_id == action_id)
        .order_by(ActionTargetRow.id)
    )
    return [(_target(row), TargetState(row.state)) for row in session.scalars(query)]


def to_action(row: ActionRow, targets: Sequence[Target]) -> Action:
    """The domain action a row and its targets describe."""
    return Action(
        id=row.id,
        candidate=_candidate(row, targets),
        state=ActionState(row.state),
        content_hash=row.content_hash,
        reason=row.reason,
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def _candidate(row: ActionRow, targets: Sequence[Target]) -> Candidate:
    expected = None
    if row.expected_value is not None and row.currency is not None:
        expected = Money(row.expected_value, row.currency)
    return Candidate(
        kind=ActionKind(row.kind),
        variant=row.variant,
        title=row.title,
        targets=tuple(targets),
        content=Content(subject=row.subject, body=row.body),
        params=tuple((str(key), str(value)) for key, value in row.params),
        issue_kind=IssueKind(row.issue_kind) if row.issue_kind else None,
        expected_value=expected,
        money_touching=row.money_touching,
        runnable=row.runnable,
    )


def _target(row: ActionTargetRow) -> Target:
    return Target(
        key=row.target_key,
        customer_id=row.customer_id,
        email=row.email,
        value=row.value,
        ref=row.ref,
        name=row.name,
    )
