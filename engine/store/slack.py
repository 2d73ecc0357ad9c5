"""Where the bot's Slack messages live: issue alerts and proposal cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.store.sql import changed_rows
from engine.store.tables import ActionRow, IssueRow


@dataclass(frozen=True, slots=True)
class IssueAlert:
    """An issue's alert message and whether someone has acknowledged it."""

    channel: str | None
    ts: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    last_reminded_at: datetime | None


class SqlSlackRepository:
    """Slack message bookkeeping on `issues` (alerts) and `actions` (cards)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def set_issue_alert(self, issue_id: int, channel: str, ts: str) -> None:
        """Remember the Slack message that alerts about an issue."""
        statement = update(IssueRow).where(IssueRow.id == issue_id)
        changed_rows(self._session, statement.values(alert_channel=channel, alert_ts=ts))

    def issue_alert(self, issue_id: int) -> IssueAlert | None:
        """An issue's alert bookkeeping; None for an unknown issue."""
        row = self._session.get(IssueRow, issue_id, populate_existing=True)
        if row is None:
            return None
        return IssueAlert(
            channel=row.alert_channel,
            ts=row.alert_ts,
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
            last_reminded_at=row.last_reminded_at,
        )

    def acknowledge_issue(self, issue_id: int, actor: str, now: datetime) -> bool:
        """Record the first acknowledgement; False when someone acknowledged it already."""
        statement = (
            update(IssueRow)
            .where(IssueRow.id == issue_id, IssueRow.acknowledged_at.is_(None))
            .values(acknowledged_by=actor, acknowledged_at=now)
        )
        return changed_rows(self._session, statement) == 1

    def mark_issue_reminded(self, issue_id: int, now: datetime) -> None:
        """Remember when the on-call users were last reminded about an issue."""
        statement = update(IssueRow).where(IssueRow.id == issue_id)
        changed_rows(self._session, statement.values(last_reminded_at=now))

    def set_action_card(self, action_id: str, channel: str, ts: str) -> None:
        """Remember the Slack message that shows a proposal card."""
        statement = update(ActionRow).where(ActionRow.id == action_id)
        changed_rows(self._session, statement.values(card_channel=channel, card_ts=ts))

    def action_card(self, action_id: str) -> tuple[str, str] | None:
        """The (channel, ts) of a proposal card, once posted."""
        row = self._session.execute(
            select(ActionRow.card_channel, ActionRow.card_ts).where(ActionRow.id == action_id)
        ).first()
        if row is None or row.card_channel is None or row.card_ts is None:
            return None
        return row.card_channel, row.card_ts
