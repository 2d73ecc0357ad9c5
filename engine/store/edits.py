"""Saving an edit made before approval: the new content and its hash, while still proposed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.model import ActionState, Candidate
from engine.store.sql import changed_rows
from engine.store.tables import ActionRow


def save_edit(
    session: Session, action_id: str, edited: Candidate, content_hash: str, now: datetime
) -> bool:
    """Store an edited proposal's content and hash; False when it is no longer open."""
    statement = (
        update(ActionRow)
        .where(
            ActionRow.id == action_id,
            ActionRow.state == ActionState.PROPOSED.value,
            ActionRow.expires_at > now,
        )
        .values(
            title=edited.title,
            params=[[key, value] for key, value in edited.params],
            subject=edited.content.subject,
            body=edited.content.body,
            content_hash=content_hash,
            money_touching=edited.money_touching,
        )
    )
    return changed_rows(session, statement) == 1
