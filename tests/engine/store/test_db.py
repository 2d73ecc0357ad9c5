"""Database: URLs, connection set-up, migrations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text
from sqlalchemy.exc import StatementError

from engine.ports import UnitOfWork
from engine.store import Database, StoreError
from engine.store.db import alembic_config, parse_url
from engine.store.tables import Base, CycleRunRow, owns_table
from tests.conftest import T0


def _own_tables(name: str | None, type_: str, _parents: object) -> bool:
    return type_ != "table" or (name is not None and owns_table(name))


def _shop_metadata() -> MetaData:
    metadata = MetaData()
    Table("shop_orders", metadata, Column("id", Integer, primary_key=True))
    return metadata


def test_upgrade_is_idempotent(database: Database) -> None:
    database.upgrade()
    database.upgrade()
    with database.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(inspect(connection).get_table_names())
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_the_models_and_leave_shop_tables_alone(database: Database) -> None:
    _shop_metadata().create_all(database.engine)
    database.upgrade()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": _own_tables, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []
        assert "shop_orders" in inspect(connection).get_table_names()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(
    sqlite_database: Database,
) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_creates_the_parent_directory(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'a' / 'b' / 'income.db'}")
    try:
        database.upgrade()
    finally:
        database.dispose()
    assert (tmp_path / "a" / "b" / "income.db").is_file()


def test_in_memory_sqlite_works_across_units_of_work() -> None:
    database = Database("sqlite://")
    try:
        database.upgrade()
        with database.uow() as uow:
            uow.state.set("paused", "yes")
            uow.commit()
        with database.uow() as uow:
            assert uow.state.get("paused") == "yes"
    finally:
        database.dispose()


def test_postgres_urls_use_psycopg_and_hide_the_password() -> None:
    assert parse_url("postgresql://u:pw@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u:pw@h/db").drivername == "postgresql+psycopg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite"


def test_url_property_hides_the_password(sqlite_database: Database) -> None:
    assert sqlite_database.url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("sqlite:////proc/nope/x.db", "cannot create the database directory"),
        ("nosuchdialect://x", "unknown database dialect"),
        ("postgresql+nosuchdriver://u@h/db", "unknown database dialect"),
        ("not a url at all", "not a valid SQLAlchemy URL"),
        ("postgresql://income:hunter2secret@127.0.0.1:1/db", "cannot connect"),
    ],
)
def test_bad_urls_raise_one_line_naming_database_url(url: str, problem: str) -> None:
    with pytest.raises(StoreError) as caught:
        Database(url)
    message = str(caught.value)
    assert "DATABASE_URL" in message
    assert problem in message
    assert "\n" not in message
    assert "hunter2secret" not in message


def test_unwritable_sqlite_path_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the database directory should be")
    with pytest.raises(StoreError, match="DATABASE_URL") as caught:
        Database(f"sqlite:///{blocker / 'income.db'}")
    assert "\n" not in str(caught.value)


def test_naive_datetimes_are_refused(database: Database) -> None:
    with database.uow() as uow, pytest.raises(StatementError, match="naive datetime"):
        uow.cycles.claim("slot", "manual", datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001


def test_aware_datetimes_in_other_zones_come_back_as_utc(database: Database) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    with database.uow() as uow:
        cycle_id = uow.cycles.claim("slot", "manual", T0.astimezone(india))
        uow.commit()
    with database.session() as session:
        row = session.get(CycleRunRow, cycle_id)
        assert row is not None
        assert row.started_at == T0
        assert row.started_at.utcoffset() == timedelta(0)


def _as_port(database: Database) -> UnitOfWork:
    return database.uow()  # mypy checks that SqlUnitOfWork satisfies the port


def test_unit_of_work_satisfies_the_port(sqlite_database: Database) -> None:
    with _as_port(sqlite_database) as uow:
        assert uow.snapshots.latest() is None
        assert uow.issues.open_issues() == []
        assert uow.actions.find() == []
        assert uow.learner.load() == ({}, 0)
        assert uow.cycles.running() is None


def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
        assert not set(Base.metadata.tables) & set(inspect(connection).get_table_names())
    database.upgrade()
    with database.uow() as uow:
        assert uow.cycles.claim("slot", "manual", T0) is not None
