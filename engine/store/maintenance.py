"""Housekeeping on the whole store."""

from __future__ import annotations

from sqlalchemy import delete

from engine.store.db import Database
from engine.store.learner import CURSOR_KEY
from engine.store.tables import AppStateRow, Base


def clear_business_data(database: Database) -> None:
    """Delete everything the engine learned about a business, in one transaction.

    Snapshots, issues, actions (targets, decisions, executions, outcomes), the learner's
    events, arms and cursor, and cycle runs go; the schema and operator settings kept in
    `app_state` (such as a paused schedule) stay. Tables outside the store's metadata (the
    demo shop's) are not touched.
    """
    with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != AppStateRow.__tablename__:
                connection.execute(delete(table))
        connection.execute(delete(AppStateRow).where(AppStateRow.key == CURSOR_KEY))
