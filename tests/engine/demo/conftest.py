"""Fixtures for the demo shop's tests: fresh in-memory SQLite databases and started shops."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoShop

END = datetime(2026, 3, 4, 17, 23, tzinfo=UTC)  # a Wednesday, mid-hour


@pytest.fixture
def engines() -> Iterator[Callable[[], sa.Engine]]:
    """Makes fresh in-memory databases, disposed of after the test."""
    made: list[sa.Engine] = []

    def make() -> sa.Engine:
        engine = sa.create_engine("sqlite://")
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


@pytest.fixture
def new_shop(engines: Callable[[], sa.Engine]) -> Callable[..., DemoShop]:
    """Makes a shop on a fresh database (timezone UTC unless given)."""

    def make(timezone: str = "UTC") -> DemoShop:
        return DemoShop(engines(), timezone=ZoneInfo(timezone))

    return make
