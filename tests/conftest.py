"""Shared fixtures: an upgraded `database` on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.model import ActionKind, Candidate, Content, IssueKind, Target
from engine.money import Money
from engine.store import Database
from engine.store.db import parse_url

POSTGRES_SKIP = "TEST_DATABASE_URL not set: PostgreSQL contract tests skipped"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def income_logger_reset() -> Iterator[None]:
    """Each test starts with the "income" logger as the library leaves it, not as a CLI run did.

    `income` runs (also in module fixtures) set its level and bind a handler to the stderr of
    the moment, which pytest closes: later tests would lose records or log to a closed file.
    """
    logger = logging.getLogger("income")
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    yield
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)


def postgres_url() -> str:
    """TEST_DATABASE_URL, or skip the test with a reason that -ra shows."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        pytest.skip(POSTGRES_SKIP)
    return url


@contextmanager
def postgres_database(url: str) -> Iterator[Database]:
    """An upgraded Database in a fresh schema of its own, dropped afterwards."""
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(parse_url(url))
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        database = Database(url, schema=schema)
        try:
            database.upgrade()
            yield database
        finally:
            database.dispose()
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


@contextmanager
def sqlite_file_database(path: Path) -> Iterator[Database]:
    """An upgraded Database in a SQLite file."""
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
        yield database
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty Database: SQLite in tmp_path, then PostgreSQL if configured."""
    if request.param == "sqlite":
        with sqlite_file_database(tmp_path / "income.db") as database:
            yield database
    else:
        with postgres_database(postgres_url()) as database:
            yield database


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """An upgraded, empty SQLite Database only."""
    with sqlite_file_database(tmp_path / "income.db") as database:
        yield database


def sample_candidate(**changes: Any) -> Candidate:
    """A realistic cart-recovery candidate with two targets; override any field."""
    candidate = Candidate(
        kind=ActionKind.CART_RECOVERY_EMAIL,
        variant="discount_10",
        title="Remind 2 customers about their carts (10% off)",
        targets=(
            Target(key="cart:c1", customer_id="u1", email="ana@example.com", value=4_500, ref="c1"),
            Target(key="cart:c2", customer_id="u2", email="bo@example.com", value=12_000, ref="c2"),
        ),
        content=Content(subject="You left something behind", body="Hi! Your cart is waiting."),
        params=(("discount_pct", "10"), ("code", "BACK10")),
        issue_kind=IssueKind.ABANDONED_CARTS,
        expected_value=Money(1_650, "USD"),
        money_touching=True,
        runnable=True,
    )
    return replace(candidate, **changes)


@pytest.fixture
def make_candidate() -> Any:
    """The `sample_candidate` factory, for tests that prefer fixtures to imports."""
    return sample_candidate
