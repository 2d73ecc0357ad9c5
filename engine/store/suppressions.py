"""The e-mail suppression list: addresses no e-mail action sends to (unsubscribed, bounced, ...)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.store.sql import table_of, upsert_insert
from engine.store.tables import SuppressionRow

_CHUNK = 500  # addresses per IN (...) query


class SqlSuppressionRepository:
    """The suppression list, keyed by lower-cased address."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, email: str, reason: str, now: datetime) -> bool:
        """Add an address to the list (kept as first added); True when new."""
        table = table_of(SuppressionRow)
        statement = upsert_insert(self._session, table).values(
            email=_key(email), reason=reason, at=now
        )
        insert = statement.on_conflict_do_nothing(index_elements=["email"])
        return self._session.execute(insert.returning(table.c.email)).first() is not None

    def remove(self, email: str) -> tuple[str, str, datetime] | None:
        """Take an address off the list; its entry as it was, or None when it was not on it."""
        entry = next(iter(self.entries([email])), None)
        if entry is not None:
            self._session.execute(delete(SuppressionRow).where(SuppressionRow.email == entry[0]))
        return entry

    def entries(self, emails: Collection[str] | None = None) -> list[tuple[str, str, datetime]]:
        """The list (or its entries for `emails`): (address, reason, since), oldest first."""
        query = select(SuppressionRow.email, SuppressionRow.reason, SuppressionRow.at)
        if emails is not None:
            query = query.where(SuppressionRow.email.in_({_key(e) for e in emails}))
        rows = self._session.execute(query.order_by(SuppressionRow.at, SuppressionRow.email))
        return [(str(email), str(reason), at) for email, reason, at in rows]

    def among(self, emails: Collection[str]) -> set[str]:
        """The lower-cased addresses among `emails` that are on the list."""
        wanted = sorted({_key(email) for email in emails})
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = select(SuppressionRow.email).where(SuppressionRow.email.in_(chunk))
            found.update(self._session.scalars(query))
        return found


def _key(email: str) -> str:
    return email.strip().lower()
