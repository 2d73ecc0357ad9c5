"""The contact policy's view before generating: blocked addresses and refs being measured."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.model import ActionKind, Reach, TargetState
from engine.model.reach import REF_KINDS
from engine.store.tables import ActionRow, ActionTargetRow, SuppressionRow

_MEASURED = (TargetState.SENT.value, TargetState.HELD_OUT.value)


class SqlReachRepository:
    """Reads who a new e-mail action could reach now."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def reach(
        self,
        now: datetime,
        *,
        email_kinds: Collection[ActionKind],
        cap: int,
        window: timedelta,
        windows: Mapping[ActionKind, timedelta],
    ) -> Reach:
        """Suppressed or capped addresses, and per kind of `windows` the refs measured now."""
        blocked = set(self._session.scalars(select(SuppressionRow.email)))
        blocked |= self._capped(now - window, [k.value for k in email_kinds], cap)
        measuring = {kind: self._measuring(kind, now - span) for kind, span in windows.items()}
        return Reach(frozenset(blocked), measuring)

    def _capped(self, since: datetime, kinds: list[str], cap: int) -> set[str]:
        query = email_sends(kinds, since).having(func.count() >= cap)
        return {str(email) for email, _ in self._session.execute(query)}

    def _measuring(self, kind: ActionKind, since: datetime) -> frozenset[str]:
        return frozenset(str(ref) for ref in self._session.scalars(measured_refs(kind, since)))


def email_sends(kinds: Collection[str], since: datetime) -> Select[Any]:
    """(lower-cased address, count) of e-mails sent since `since` by actions of `kinds`."""
    address = func.lower(ActionTargetRow.email)
    return (
        select(address, func.count())
        .join(ActionRow, ActionRow.id == ActionTargetRow.action_id)
        .where(
            ActionTargetRow.email.is_not(None),
            ActionTargetRow.state == TargetState.SENT.value,
            ActionTargetRow.updated_at >= since,
            ActionRow.kind.in_(list(kinds)),
        )
        .group_by(address)
    )


def measured_refs(kind: ActionKind, since: datetime) -> Select[Any]:
    """Refs (carts, payments) or customers sent to or held out by actions of `kind` since."""
    column = ActionTargetRow.ref if kind in REF_KINDS else ActionTargetRow.customer_id
    return (
        select(column)
        .distinct()
        .join(ActionRow, ActionRow.id == ActionTargetRow.action_id)
        .where(
            column.is_not(None),
            ActionTargetRow.state.in_(_MEASURED),
            ActionTargetRow.updated_at >= since,
            ActionRow.kind == kind.value,
        )
    )
