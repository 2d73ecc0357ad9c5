"""The database handle: URL checks, connection set-up, programmatic migrations, units of work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from engine.clock import Clock, utc_now
from engine.store.errors import StoreError
from engine.store.uow import SqlUnitOfWork

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_POSTGRES_ALIASES = ("postgres", "postgresql")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATION_LOCK = 7_346_001  # PostgreSQL advisory lock id: one migrating process at a time
_SQLITE_BUSY_MS = 10_000


class Database:
    """A SQLite or PostgreSQL database holding the engine's state."""

    def __init__(self, url: str, *, schema: str | None = None, clock: Clock = utc_now) -> None:
        self._url = parse_url(url)
        self._shown = self._url.render_as_string(hide_password=True)
        self.engine = self._connect(schema)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._clock = clock

    @property
    def url(self) -> str:
        """The URL with its password hidden, safe to show and log."""
        return self._shown

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Apply the Alembic migrations up to head; safe to run again and from many processes."""
        try:
            with self.engine.connect() as connection:
                self._lock_for_migration(connection)
                command.upgrade(alembic_config(connection), "head")
                connection.commit()
        except SQLAlchemyError as exc:
            raise self._error("cannot apply migrations", exc) from None

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (one transaction); use it in a `with` block and commit()."""
        return SqlUnitOfWork(self._sessions(), self._clock)

    def session(self) -> Session:
        """A bare session, for callers that need SQL beyond the repositories."""
        return self._sessions()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def _connect(self, schema: str | None) -> Engine:
        try:
            engine = _build_engine(self._url, schema)
        except (NoSuchModuleError, ImportError):
            raise StoreError(
                f"DATABASE_URL {self._shown}: unknown database dialect or driver "
                f"'{self._url.drivername}' (use sqlite:///path.db or postgresql://user@host/db)"
            ) from None
        except OSError as exc:
            raise self._error("cannot create the database directory", exc) from None
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            engine.dispose()
            raise self._error("cannot connect", exc) from None
        return engine

    def _lock_for_migration(self, connection: Connection) -> None:
        # Two processes starting at once must not both create the tables.
        if self.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    def _error(self, problem: str, exc: BaseException) -> StoreError:
        cause = getattr(exc, "orig", None) or exc
        detail = " ".join(str(cause).split())
        if self._url.password:
            detail = detail.replace(str(self._url.password), "***")
        return StoreError(f"DATABASE_URL {self._shown}: {problem}: {detail[:300]}")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config built in code, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def parse_url(raw: str) -> URL:
    """Parse DATABASE_URL, mapping postgresql:// and postgres:// to the psycopg 3 driver."""
    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise StoreError(
            "DATABASE_URL is not a valid SQLAlchemy URL "
            "(expected e.g. sqlite:///data/income.db or postgresql://user@host:5432/db)"
        ) from None
    if url.drivername in _POSTGRES_ALIASES:
        url = url.set(drivername="postgresql+psycopg")
    return url


def _build_engine(url: URL, schema: str | None) -> Engine:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise StoreError("DATABASE_URL: a schema is only supported on PostgreSQL")
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = 10
        if schema is not None:
            if not _SCHEMA_NAME.fullmatch(schema):
                raise StoreError(f"DATABASE_URL: bad schema name {schema!r}")
            connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
