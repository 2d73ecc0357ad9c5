"""Customers' display names in the demo source's shop data, as the customers table has them."""

from __future__ import annotations

import sqlalchemy as sa

from engine.demo import tables
from engine.sources.demo import DemoSource
from tests.engine.sources.conftest import END


def _names(source: DemoSource) -> dict[str, str]:
    customers = tables.customers
    with source.shop.engine.connect() as connection:
        rows = connection.execute(sa.select(customers.c.id, customers.c.name))
        return {str(customer_id): str(name) for customer_id, name in rows}


def test_carts_churned_customers_and_buyers_carry_the_customers_name(
    sqlite_source: DemoSource,
) -> None:
    names = _names(sqlite_source)
    data = sqlite_source.shop_data(END, days=2)
    assert data.abandoned_carts
    assert data.churned_customers
    assert data.recent_buyers
    assert all(cart.name == names[cart.customer_id] for cart in data.abandoned_carts)
    assert all(c.name == names[c.customer_id] for c in data.churned_customers)
    assert [cid for cid, _ in data.buyer_names] == [cid for cid, _ in data.recent_buyers]
    assert all(name == names[cid] for cid, name in data.buyer_names)


def test_names_stay_out_of_the_shop_datas_repr(sqlite_source: DemoSource) -> None:
    data = sqlite_source.shop_data(END, days=2)
    shown = repr((data.abandoned_carts[:3], data.churned_customers[:3]))
    assert not any(cart.name and cart.name in shown for cart in data.abandoned_carts[:3])
    assert not any(c.name and c.name in shown for c in data.churned_customers[:3])
