import pytest

from engine.actions import capabilities_for
from engine.drafting.templates import TemplateDrafter
from engine.model import ActionKind
from engine.money import Money
from engine.optimize import optimize
from tests.engine.shop_builders import (
    ALL_CAPS,
    NO_CAPS,
    NOW,
    assert_well_formed,
    buyers,
    pair,
    product,
    shop,
)

DRAFTER = TemplateDrafter()
# Median conversion of a..d is 4.5 %; "a" converts at 12 % with a 50 % margin.
PRODUCTS = (
    product("a", views=1000, orders=120, price=2400, cost=1200),
    product("b", views=1000, orders=50),
    product("c", views=1000, orders=40),
    product("d", views=1000, orders=20),
)


def _run(data, caps=ALL_CAPS):
    return optimize(data, caps, DRAFTER, NOW)


def _of(kind, candidates):
    return [c for c in candidates if c.kind is kind]


def test_empty_data_gives_no_candidates():
    assert _run(shop()) == []


def test_price_raise_on_a_strong_converter_with_margin():
    (test,) = _of(ActionKind.PRICE_TEST, _run(shop(products=PRODUCTS)))
    assert test.variant == "plus_5"
    assert test.issue_kind is None
    # 120 units: (2520 - 1200) x 120 x (1 - 0.5 x 0.05) - (2400 - 1200) x 120
    assert test.expected_value == Money(10440, "USD")
    assert test.title == (
        "Test a 5% higher price on Product A: $24.00 → $25.20 (+$104.40 profit in 30 days expected)"
    )
    assert "converts at 12.0% of views against a shop median of 4.5%" in test.content.body
    assert "compare orders and profit on 2024-12-14" in test.content.body
    assert test.targets[0].key == "product:a"
    assert test.money_touching is True
    assert dict(test.params)["new_price"] == "2520"
    assert_well_formed(test)


@pytest.mark.parametrize(
    ("strong", "why"),
    [
        (product("a", views=1000, orders=65), "6.5 % is not 1.5 x the 4.5 % median"),
        (product("a", views=1000, orders=120, cost=1900), "5 % margin is too thin"),
        (product("a", views=50, orders=20), "too few views to judge"),
        (product("a", views=100, orders=9), "too few orders to judge"),
    ],
)
def test_no_price_raise_without_evidence(strong, why):
    data = shop(products=(strong, *PRODUCTS[1:]))
    assert _of(ActionKind.PRICE_TEST, _run(data)) == [], why


def test_at_most_two_price_raises_best_first():
    strong = tuple(
        product(pid, views=1000, orders=100 + 10 * n, price=3000) for n, pid in enumerate("xyz")
    )
    data = shop(products=strong + PRODUCTS[1:] + (product("e", orders=10), product("f", orders=5)))
    tests = _of(ActionKind.PRICE_TEST, _run(data))
    assert [t.targets[0].ref for t in tests] == ["z", "y"]


def test_price_test_is_advice_without_a_webhook():
    email_only = capabilities_for(email=True, payments=True, webhook=False, slack=True)
    (test,) = _of(ActionKind.PRICE_TEST, _run(shop(products=PRODUCTS), email_only))
    assert test.runnable is False


def test_bundle_offer_for_the_top_pair_to_recent_buyers():
    data = shop(
        products=PRODUCTS,
        pairs=(pair("a", "b", 8), pair("c", "d", 12), pair("a", "zz", 40), pair("b", "c", 2)),
        recent_buyers=(*buyers(4), ("b1", "b1@example.com"), ("nomail", "")),
    )
    (offer,) = _of(ActionKind.BUNDLE_OFFER, _run(data))
    assert offer.title == (
        "Email 4 recent buyers: Product C is often bought with Product D "
        "($20.00, 12 orders together)"
    )
    assert [t.key for t in offer.targets] == [f"customer:b{i}" for i in range(4)]
    assert offer.targets[0].email == "b0@example.com"
    assert dict(offer.params) == {"first_id": "c", "second_id": "d"}
    assert offer.expected_value == Money(320, "USD")  # 2 % of 4 x ($20 + $20): the pair
    assert "Product D ($20.00)" in offer.content.body
    assert offer.money_touching is False
    assert_well_formed(offer)


def test_no_bundle_without_buyers_or_a_real_pair():
    assert (
        _of(ActionKind.BUNDLE_OFFER, _run(shop(products=PRODUCTS, pairs=(pair("a", "b", 9),))))
        == []
    )
    few = shop(products=PRODUCTS, pairs=(pair("a", "b", 2),), recent_buyers=buyers(3))
    assert _of(ActionKind.BUNDLE_OFFER, _run(few)) == []


def test_leakage_names_product_rate_and_amount():
    leaky = product(
        "l", views=50, orders=10, price=5000, discounts=5000, refunds=10000, refunded_units=2
    )
    fine = product("f", views=50, orders=10, discounts=1000, refunds=1000, refunded_units=1)
    (review,) = _of(ActionKind.LEAKAGE_REVIEW, _run(shop(products=(leaky, fine))))
    assert review.variant == "refunds_discounts"
    # gross $500: $450 revenue after $50 discounts; lost $100 refunds + $50 discounts
    assert review.title == (
        "Review Product L: $150.00 (30.0%) of sales lost to refunds and discounts in 30 days"
    )
    assert "• Refunds: $100.00, 2 of 10 units (20.0%)" in review.content.body
    assert "• Discounts: $50.00" in review.content.body
    assert review.targets[0].value == 15000
    assert review.expected_value is None
    assert review.runnable is True
    assert _run(shop(products=(leaky,)), NO_CAPS)[0].runnable is False


def test_products_sold_below_cost():
    loss = product("m", views=50, orders=10, price=900, cost=1000)
    (review,) = _run(shop(products=(loss,)))
    assert review.variant == "below_cost"
    assert (
        review.title
        == "Product M sells below cost: $9.00 against $10.00 a unit, $10.00 lost on 10 units"
    )
    assert review.targets[0].value == 1000


def test_leakage_reviews_are_capped_at_three_biggest():
    leaky = tuple(
        product(f"l{n}", views=50, orders=10, refunds=5000 + n, refunded_units=3) for n in range(5)
    )
    reviews = _of(ActionKind.LEAKAGE_REVIEW, _run(shop(products=leaky)))
    assert [r.targets[0].ref for r in reviews] == ["l4", "l3", "l2"]


def test_product_names_are_trimmed_but_not_escaped():
    name = "Mugs & <Cups> " + "x" * 200
    data = shop(products=(product("m", views=50, orders=10, price=900, cost=1000, name=name),))
    (review,) = _run(data)
    assert "Mugs & <Cups> xxx" in review.title
    assert name not in review.content.body
    assert "…" in review.content.body
