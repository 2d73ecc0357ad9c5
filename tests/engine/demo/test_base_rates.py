"""Four normal weeks: base rates in their ranges, seasonality, money and addresses as required."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.clock import as_utc
from engine.demo import DemoShop, tables
from engine.sources.demo import DemoSource
from tests.engine.demo.conftest import END

DAYS = 28
ZONE = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def source() -> Iterator[DemoSource]:
    engine = sa.create_engine("sqlite://")
    shop = DemoShop(engine, timezone=ZONE)
    shop.start(scenario="normal", seed=11, end=END, days=DAYS)
    yield DemoSource(shop)
    engine.dispose()


def test_rates_over_four_weeks(source: DemoSource) -> None:
    counts = source.window(END - timedelta(days=DAYS), END)
    assert 0.13 <= counts.orders / counts.sessions <= 0.17
    assert 0.05 <= counts.payment_failures / counts.payment_attempts <= 0.08
    assert 0.60 <= counts.abandoned_carts / counts.carts <= 0.75
    assert 2_500 <= counts.sessions / DAYS <= 3_000
    assert 350 <= counts.orders / DAYS <= 480
    assert 40_00 <= counts.revenue / counts.orders <= 50_00  # about $45 an order
    assert 0 < counts.discounts < counts.revenue // 10
    assert 0 < counts.refunds < counts.revenue // 20


def test_monthly_churn(source: DemoSource) -> None:
    churn = source.churn(END - timedelta(days=30), END)
    assert 2_000 <= churn.active_at_start <= 3_000
    assert 0.02 <= churn.cancelled / churn.active_at_start <= 0.04


def test_daily_revenue_is_steady(source: DemoSource) -> None:
    days = [
        source.window(END - timedelta(days=n + 1), END - timedelta(days=n)) for n in range(DAYS)
    ]
    revenues = [day.revenue for day in days]
    assert max(revenues) / min(revenues) < 1.15
    drops = [1 - later / earlier for later, earlier in itertools.pairwise(revenues)]
    assert max(drops) < 0.10


def test_evening_traffic_beats_night_in_the_business_timezone(source: DemoSource) -> None:
    sessions = tables.sessions
    with source.shop.engine.connect() as connection:
        started = connection.execute(
            sa.select(sessions.c.started_at).where(sessions.c.started_at < END)
        ).scalars()
        by_local_hour = Counter(as_utc(moment).astimezone(ZONE).hour for moment in started)
    night = by_local_hour[3] + by_local_hour[4]
    evening = by_local_hour[20] + by_local_hour[21]
    assert evening > 4 * night
    # In UTC the same hours are not the quiet ones: the pattern follows the local clock.
    assert by_local_hour[3] < min(by_local_hour[h] for h in range(9, 23))


def test_money_is_whole_minor_units_and_consistent(source: DemoSource) -> None:
    orders = tables.orders
    with source.shop.engine.connect() as connection:
        inconsistent = connection.execute(
            sa.select(sa.func.count()).where(
                orders.c.total != orders.c.subtotal - orders.c.discount
            )
        ).scalar_one()
        sample = connection.execute(sa.select(orders.c.total, orders.c.currency).limit(50)).all()
    assert inconsistent == 0
    assert all(isinstance(total, int) and currency == "USD" for total, currency in sample)


def test_addresses_only_at_reserved_example_domains(source: DemoSource) -> None:
    customers = tables.customers
    domain = sa.func.substr(customers.c.email, sa.func.instr(customers.c.email, "@") + 1)
    with source.shop.engine.connect() as connection:
        domains = set(connection.execute(sa.select(domain).distinct()).scalars())
    assert domains <= {"example.com", "example.org", "example.net"}


def test_other_currencies_keep_minor_units(new_shop: Callable[..., DemoShop]) -> None:
    for currency, espresso in (("EUR", 28_00), ("JPY", 4_200)):
        shop = DemoShop(new_shop().engine, timezone=ZONE, currency=currency)
        state = shop.start(scenario="normal", seed=1, end=END, days=0)
        data = DemoSource(shop).shop_data(END + timedelta(hours=1))
        assert state.currency == shop.currency == data.currency == currency
        assert data.products[0].price == espresso


def test_state_keeps_the_hidden_rates_out_of_sight(source: DemoSource) -> None:
    state = source.shop.state()
    assert state is not None
    assert not {"truth", "responses", "base"} & set(dir(state))
    assert state.timezone == "America/New_York"
    assert state.clock.tzinfo is not None
