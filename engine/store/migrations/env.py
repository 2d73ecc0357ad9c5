"""Alembic environment: runs on the connection `Database.upgrade` passes in.

From the command line (`alembic -c engine/store/alembic.ini ...`) it connects to
DATABASE_URL instead, through `Database` so URLs are checked and normalised the same way.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from engine.settings import DEFAULT_DATABASE_URL
from engine.store.tables import Base, owns_table

target_metadata = Base.metadata


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Only the store's own tables: the demo shop's `shop_` tables live in their own MetaData."""
    if type_ == "table":
        return name is not None and owns_table(name)
    return True


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from engine.store.db import Database  # noqa: PLC0415 - only the command line needs it

    database = Database(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    try:
        with database.engine.begin() as own_connection:
            run_on(own_connection)
    finally:
        database.dispose()


def run_offline() -> None:
    context.configure(
        url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        target_metadata=target_metadata,
        include_name=include_name,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
