"""Small SQL helpers the repositories share."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def changed_rows(session: Session, statement: Executable) -> int:
    """Run a conditional UPDATE/DELETE and return how many rows it changed.

    Loaded objects are expired afterwards, so later reads in the session see the change.
    """
    result = session.execute(statement, execution_options={"synchronize_session": False})
    count = cast("CursorResult[Any]", result).rowcount
    if count:
        session.expire_all()
    return count


def upsert_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of the session's dialect that supports ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def table_of(model: type[Any]) -> Table:
    """The Core table behind a declarative model."""
    return cast(Table, model.__table__)
