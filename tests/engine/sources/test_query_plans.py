"""KPI windows are index range scans on the timestamp columns, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoShop
from engine.sources.demo import DemoSource
from engine.sources.demo_kpis import churn_statements, window_statements
from tests.engine.sources.conftest import END

DAY = timedelta(days=1)
WINDOW_INDEXES = {
    "sessions": "ix_shop_sessions_started_at",
    "carts": "ix_shop_carts_ended_at",
    "orders": "ix_shop_orders_placed_at",
    "refunds": "ix_shop_orders_refunded_at",
    "payments": "ix_shop_payments_attempted_at",
    "errors": "ix_shop_errors_at",
}


def _sql(statement: sa.Select[tuple[int]], connection: sa.Connection) -> str:
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


def test_sqlite_windows_search_the_timestamp_indexes(sqlite_source: DemoSource) -> None:
    statements = window_statements(END - DAY, END)
    assert set(statements) == set(WINDOW_INDEXES)
    with sqlite_source.shop.engine.connect() as connection:
        for name, statement in statements.items():
            plan = [
                row[3]
                for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + _sql(statement, connection)
                )
            ]
            assert any(
                f"USING INDEX {WINDOW_INDEXES[name]}" in step
                or f"USING COVERING INDEX {WINDOW_INDEXES[name]}" in step
                for step in plan
            ), (name, plan)
            assert not any(step.startswith("SCAN") for step in plan), (name, plan)


def test_sqlite_churn_counts_use_indexes(sqlite_source: DemoSource) -> None:
    with sqlite_source.shop.engine.connect() as connection:
        for name, statement in churn_statements(END - 30 * DAY, END).items():
            plan = [
                row[3]
                for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + _sql(statement, connection)
                )
            ]
            assert any("INDEX ix_shop_subscriptions_" in step for step in plan), (name, plan)


@pytest.mark.postgres
def test_postgres_windows_use_the_timestamp_indexes(
    postgres_engines: Callable[[], sa.Engine],
) -> None:
    engine = postgres_engines()
    DemoShop(engine, timezone=ZoneInfo("UTC")).start(scenario="normal", seed=1, end=END, days=7)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        for name, statement in window_statements(END - DAY, END).items():
            if name == "errors":
                # A week of errors fits in a page or two, where a sequential scan is rightly
                # cheaper; switch it off to check that the index serves this query's shape.
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                row[0]
                for row in connection.exec_driver_sql("EXPLAIN " + _sql(statement, connection))
            )
            assert WINDOW_INDEXES[name] in plan, (name, plan)
            assert any(
                scan in plan for scan in ("Index Scan", "Bitmap Index Scan", "Index Only Scan")
            )
            assert "Seq Scan" not in plan, (name, plan)


@pytest.mark.postgres
def test_postgres_holds_the_same_rows_as_sqlite(postgres_engines: Callable[[], sa.Engine]) -> None:
    """Same seed, same history, whichever database: the simulator does not depend on it."""
    sqlite = sa.create_engine("sqlite://")
    try:
        sources = []
        for engine in (postgres_engines(), sqlite):
            shop = DemoShop(engine, timezone=ZoneInfo("Europe/Madrid"))
            shop.start(scenario="payment_failures", seed=21, end=END, days=2)
            sources.append(DemoSource(shop))
        postgres, lite = sources
        for start in (END - DAY, END - 2 * DAY):
            assert postgres.window(start, start + DAY) == lite.window(start, start + DAY)
        assert postgres.churn(END - 30 * DAY, END) == lite.churn(END - 30 * DAY, END)
        assert postgres.shop_data(END, days=1) == lite.shop_data(END, days=1)
    finally:
        sqlite.dispose()
