"""The shop's conversions for lift: an offer's own products, a referral's friends' orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from engine.demo import DemoShop, tables
from engine.model import ActionKind, Target
from engine.sources.demo import DemoSource
from tests.engine.demo.conftest import END

DAY = timedelta(days=1)
UNTIL = END + 7 * DAY


@pytest.fixture(scope="module")
def shop() -> Iterator[DemoShop]:
    """A shop a week after a bundle offer and a referral invitation went to its recent buyers."""
    engine = sa.create_engine("sqlite://")
    shop = DemoShop(engine, timezone=ZoneInfo("UTC"))
    shop.start(scenario="normal", seed=5, end=END, days=14)
    source = DemoSource(shop, target_limit=4_000)
    buyers = source.shop_data(END).recent_buyers
    targets = [Target(key=f"customer:{c}", customer_id=c, email=e) for c, e in buyers]
    half = len(targets) // 2
    params = {"first_id": "7", "second_id": "8"}
    shop.deliver("act-bundle", "bundle_offer", "standard", params=params, targets=targets, at=END)
    shop.deliver(
        "act-friends", "referral_incentive", "give_10", params={}, targets=targets[:half], at=END
    )
    source.sync(UNTIL)
    yield shop
    engine.dispose()


def _customers(shop: DemoShop) -> list[str]:
    with shop.engine.connect() as connection:
        rows = connection.execute(sa.select(tables.customers.c.id)).scalars()
        return [str(row) for row in rows]


def _offered_lines(shop: DemoShop, products: set[int]) -> dict[str, int]:
    """Per customer, the offered products' lines in paid orders of the week, summed in Python."""
    o, i = tables.orders, tables.order_items
    query = (
        sa.select(o.c.customer_id, i.c.product_id, i.c.quantity, i.c.unit_price, i.c.discount)
        .join(i, i.c.order_id == o.c.id)
        .where(o.c.status == "paid", o.c.placed_at >= END, o.c.placed_at < UNTIL)
    )
    found: defaultdict[str, int] = defaultdict(int)
    with shop.engine.connect() as connection:
        for customer, product, quantity, price, discount in connection.execute(query):
            if product in products:
                found[str(customer)] += quantity * price - discount
    return dict(found)


def test_an_offer_converts_with_what_its_products_earned(shop: DemoShop) -> None:
    refs = _customers(shop)
    offered = shop.conversions(ActionKind.BUNDLE_OFFER, refs, END, UNTIL, products=("7", "8"))
    everything = shop.conversions(ActionKind.BUNDLE_OFFER, refs, END, UNTIL)
    assert offered == _offered_lines(shop, {7, 8})
    assert len(offered) >= 20
    assert all(value <= everything[ref] for ref, value in offered.items())
    assert sum(offered.values()) < sum(everything.values()) // 2  # most orders are other things


def test_a_referral_converts_through_the_orders_of_the_friends_it_brought(shop: DemoShop) -> None:
    o = tables.orders
    with shop.engine.connect() as connection:
        rows = connection.execute(
            sa.select(o.c.referred_by, o.c.customer_id, o.c.total, o.c.status).where(
                o.c.action_id == "act-friends"
            )
        ).all()
    assert len(rows) >= 5
    expected: defaultdict[str, int] = defaultdict(int)
    for referrer, _, total, status in rows:
        if status == "paid":
            expected[str(referrer)] += total
    kind = ActionKind.REFERRAL_INCENTIVE
    converted = shop.conversions(kind, _customers(shop), END, UNTIL)
    assert converted == dict(expected)
    assert any(str(friend) != str(referrer) for referrer, friend, _, _ in rows)
    assert shop.conversions(kind, list(converted), END, END + DAY / 24) == {}  # not yet


def test_a_shop_seeded_before_referrals_were_tracked_gains_the_column(
    new_shop: Callable[..., DemoShop],
) -> None:
    shop = new_shop()
    shop.start(scenario="normal", seed=2, end=END, days=1)
    with shop.engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_shop_orders_referred_by"))
        connection.execute(sa.text("ALTER TABLE shop_orders DROP COLUMN referred_by"))
    again = DemoShop(shop.engine, timezone=ZoneInfo("UTC"))
    again.advance(END + DAY)  # writes orders, so it needs the column
    columns = {c["name"] for c in sa.inspect(shop.engine).get_columns("shop_orders")}
    assert "referred_by" in columns
    with shop.engine.begin() as connection:
        assert tables.upgrade(connection) is False  # once is enough
