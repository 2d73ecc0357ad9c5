"""Fixtures for the demo source: a seeded SQLite shop, and PostgreSQL schemas when available."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoShop
from engine.sources.demo import DemoSource

END = datetime(2026, 3, 4, 17, 23, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_source() -> Iterator[DemoSource]:
    """A week of a shop with payment trouble, on in-memory SQLite."""
    engine = sa.create_engine("sqlite://")
    shop = DemoShop(engine, timezone=ZoneInfo("Europe/Madrid"))
    shop.start(scenario="payment_failures", seed=21, end=END, days=7)
    yield DemoSource(shop)
    engine.dispose()


@pytest.fixture
def postgres_engines() -> Iterator[Callable[[], sa.Engine]]:
    """Makes engines on fresh PostgreSQL schemas (dropped afterwards); skips without a server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    admin = sa.create_engine(url)
    made: list[tuple[str, sa.Engine]] = []

    def make() -> sa.Engine:
        schema = f"demo_{uuid.uuid4().hex[:12]}"
        with admin.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        made.append((schema, engine))
        return engine

    yield make
    for schema, engine in made:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
