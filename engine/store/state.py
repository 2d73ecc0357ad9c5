"""The small key/value table `app_state` (learner cursor, paused schedule, and so on)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.store.sql import table_of, upsert_insert
from engine.store.tables import AppStateRow


def read_state(session: Session, key: str) -> str | None:
    """The value stored under `key`."""
    return session.scalars(select(AppStateRow.value).where(AppStateRow.key == key)).first()


def write_state(session: Session, key: str, value: str, now: datetime) -> None:
    """Store `value` under `key`, replacing what was there."""
    statement = upsert_insert(session, table_of(AppStateRow)).values(
        key=key, value=value, updated_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
    )


class SqlAppStateRepository:
    """Process-wide settings that must survive restarts and be shared between copies."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def get(self, key: str) -> str | None:
        """The value stored under `key`."""
        return read_state(self._session, key)

    def set(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        write_state(self._session, key, value, self._clock())

    def delete(self, key: str) -> None:
        """Forget `key`."""
        self._session.execute(delete(AppStateRow).where(AppStateRow.key == key))
