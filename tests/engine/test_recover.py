from dataclasses import replace
from datetime import timedelta

import pytest

from engine.actions import MAX_TARGETS, capabilities_for
from engine.drafting.templates import TemplateDrafter
from engine.model import ActionKind, IssueKind, Reach
from engine.money import Money
from engine.recover import recover
from tests.engine.shop_builders import (
    ALL_CAPS,
    DAY,
    NO_CAPS,
    NOW,
    assert_well_formed,
    buyers,
    cart,
    churned,
    issue,
    payment,
    product,
    shop,
)

DRAFTER = TemplateDrafter()
RICH = shop(
    abandoned_carts=(cart(1, 5000), cart(2, 3000)),
    failed_payments=(payment(1, 2000), payment(2, 4000, "stolen_card")),
    churned_customers=(churned(1, 12000), churned(2, 8000)),
    products=(
        product("a", views=1000, orders=100),
        product("b", views=1000, orders=50),
        product("c", views=2000, orders=20, price=10000, cost=1000),
    ),
    recent_buyers=buyers(3),
    error_samples=(("Timeout calling gateway", 42), ("500 on /checkout", 17)),
)


def _run(*kinds, data=RICH, caps=ALL_CAPS):
    return recover([issue(k) for k in kinds], data, caps, DRAFTER, NOW)


def _arms(candidates):
    return [(c.kind, c.variant) for c in candidates]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            IssueKind.ABANDONED_CARTS,
            [
                (ActionKind.CART_RECOVERY_EMAIL, "no_discount"),
                (ActionKind.CART_RECOVERY_EMAIL, "discount_10"),
            ],
        ),
        (IssueKind.PAYMENT_FAILURES, [(ActionKind.PAYMENT_RETRY, "soft_declines")]),
        (
            IssueKind.HIGH_CHURN,
            [(ActionKind.WINBACK_EMAIL, "standard"), (ActionKind.WINBACK_EMAIL, "discount_20")],
        ),
        (
            IssueKind.REVENUE_DROP,
            [(ActionKind.ERROR_INVESTIGATION, "errors"), (ActionKind.EMAIL_CAMPAIGN, "standard")],
        ),
        (IssueKind.ERROR_SPIKE, [(ActionKind.ERROR_INVESTIGATION, "errors")]),
        (
            IssueKind.LOW_CONVERSION,
            [
                (ActionKind.ERROR_INVESTIGATION, "checkout_funnel"),
                (ActionKind.PRICE_TEST, "minus_5"),
            ],
        ),
    ],
)
def test_each_issue_gets_its_actions(kind, expected):
    found = _run(kind)
    assert _arms(found) == expected
    for candidate in found:
        assert candidate.issue_kind is kind
        assert_well_formed(candidate)


@pytest.mark.parametrize("kind", list(IssueKind))
def test_empty_data_gives_no_candidates(kind):
    assert _run(kind, data=shop()) == []


def test_resolved_issues_and_repeats():
    assert recover([issue(IssueKind.HIGH_CHURN, resolved=True)], RICH, ALL_CAPS, DRAFTER, NOW) == []
    twice = [issue(IssueKind.HIGH_CHURN), issue(IssueKind.HIGH_CHURN)]
    assert len(recover(twice, RICH, ALL_CAPS, DRAFTER, NOW)) == 2


def test_cart_recovery_targets_titles_and_values():
    plain, discount = _run(IssueKind.ABANDONED_CARTS)
    assert plain.title == "Email 2 customers who left $80.00 in carts"
    assert discount.title == "Email 2 customers who left $80.00 in carts, with 10% off"
    assert [(t.key, t.customer_id, t.email, t.value, t.ref) for t in plain.targets] == [
        ("cart:c1", "u1", "u1@example.com", 5000, "c1"),
        ("cart:c2", "u2", "u2@example.com", 3000, "c2"),
    ]
    assert plain.expected_value == Money(400, "USD")  # 5 % of $80
    assert discount.expected_value == Money(576, "USD")  # 8 % of $80, less the 10 % given
    assert (plain.money_touching, discount.money_touching) == (False, True)
    params = dict(discount.params)
    assert params["discount_pct"] == "10"
    assert params["discount_code"].startswith("BACK10-")
    assert params["discount_code"] in discount.content.body
    assert "{cart_link}" in plain.content.body


def test_carts_too_fresh_too_old_or_without_email_are_left_alone():
    data = shop(
        abandoned_carts=(
            cart(1, 5000, age=timedelta(minutes=10)),  # still shopping
            cart(2, 5000, age=8 * DAY),
            cart(3, 5000, email=""),
            cart(4, 1000),
        )
    )
    (plain, _) = _run(IssueKind.ABANDONED_CARTS, data=data)
    assert [t.ref for t in plain.targets] == ["c4"]
    assert plain.title == "Email 1 customer who left $10.00 in carts"


def test_one_email_per_shopper_for_their_largest_cart():
    data = shop(
        abandoned_carts=(
            cart(1, 1000, email="Same@example.com"),
            cart(2, 7000, email="same@example.com"),
        )
    )
    (plain, _) = _run(IssueKind.ABANDONED_CARTS, data=data)
    assert [t.ref for t in plain.targets] == ["c2"]


def test_targets_are_capped_and_the_title_says_so():
    data = shop(abandoned_carts=tuple(cart(n, 100 + n) for n in range(MAX_TARGETS + 20)))
    plain, discount = _run(IssueKind.ABANDONED_CARTS, data=data)
    assert len(plain.targets) == MAX_TARGETS
    assert min(t.value for t in plain.targets) == 120  # the 20 smallest carts were dropped
    assert "(largest 500 of 520; 500 at most)" in plain.title
    assert discount.targets == plain.targets


def test_hard_declines_are_never_retried():
    data = shop(
        failed_payments=(
            payment(1, 2000, "insufficient_funds"),
            payment(2, 4000, "processing_error"),
            payment(3, 9000, "generic_decline", hard=True),
            payment(4, 1500, "stolen_card"),  # always hard, even unflagged
        )
    )
    (retry,) = _run(IssueKind.PAYMENT_FAILURES, data=data)
    assert [t.key for t in retry.targets] == ["payment:p2", "payment:p1"]
    assert retry.title == "Retry 2 soft-declined payments worth $60.00 (2 hard declines excluded)"
    assert "Not retried: 2 hard declines ($105.00)" in retry.content.body
    assert "p3" not in retry.content.body
    assert "p4" not in retry.content.body
    # 50 % of $40 (processing_error) + 30 % of $20 (insufficient_funds)
    assert retry.expected_value == Money(2600, "USD")
    assert retry.money_touching is True
    assert retry.params == (("attempts", "1"),)


def test_only_hard_declines_give_nothing():
    data = shop(failed_payments=(payment(1, 2000, hard=True), payment(2, 100, "lost_card")))
    assert _run(IssueKind.PAYMENT_FAILURES, data=data) == []


def test_long_retry_lists_are_summarised():
    data = shop(failed_payments=tuple(payment(n, 1000 + n) for n in range(20)))
    (retry,) = _run(IssueKind.PAYMENT_FAILURES, data=data)
    assert len(retry.targets) == 20
    assert "• …and 5 more" in retry.content.body
    assert "(" not in retry.title  # nothing excluded, nothing capped


def test_runnable_follows_capabilities():
    no_payments = capabilities_for(email=True, payments=False, webhook=False, slack=False)
    (retry,) = _run(IssueKind.PAYMENT_FAILURES, caps=no_payments)
    assert retry.runnable is False
    assert all(c.runnable for c in _run(IssueKind.ABANDONED_CARTS, caps=no_payments))
    assert not any(c.runnable for c in _run(*IssueKind, caps=NO_CAPS))


def test_winback_to_recently_churned():
    data = shop(
        churned_customers=(churned(1, 12000), churned(2, 8000), churned(3, 5000, 100 * DAY))
    )
    plain, discount = _run(IssueKind.HIGH_CHURN, data=data)
    assert plain.title == (
        "Win back 2 customers who cancelled in the last 90 days ($200.00 lifetime value)"
    )
    assert [t.key for t in plain.targets] == ["customer:u1", "customer:u2"]
    assert plain.expected_value == Money(400, "USD")
    assert discount.expected_value == Money(640, "USD")
    assert dict(discount.params)["discount_pct"] == "20"
    assert dict(discount.params)["discount_code"] in discount.content.body
    assert "20% off" in discount.content.subject


def test_revenue_drop_leaves_errors_to_an_open_error_spike():
    found = _run(IssueKind.ERROR_SPIKE, IssueKind.REVENUE_DROP)
    assert [(c.issue_kind, c.kind) for c in found] == [
        (IssueKind.ERROR_SPIKE, ActionKind.ERROR_INVESTIGATION),
        (IssueKind.REVENUE_DROP, ActionKind.EMAIL_CAMPAIGN),
    ]


def test_revenue_drop_without_many_errors_only_campaigns():
    data = shop(products=RICH.products, recent_buyers=buyers(3), error_samples=(("oops", 19),))
    (campaign,) = _run(IssueKind.REVENUE_DROP, data=data)
    assert campaign.kind is ActionKind.EMAIL_CAMPAIGN
    assert campaign.title.startswith("Email 3 recent buyers about Product A ($20.00)")
    assert campaign.expected_value == Money(120, "USD")  # 2 % of 3 x $20


def test_revenue_drop_investigation_says_why():
    investigation, _ = _run(IssueKind.REVENUE_DROP)
    assert investigation.content.body.startswith("Revenue is down while errors are elevated")


def test_error_investigation_lists_errors_with_counts():
    data = shop(error_samples=(("b", 5), ("Timeout", 40), ("b", 10), ("zero", 0)))
    (found,) = _run(IssueKind.ERROR_SPIKE, data=data)
    assert found.title == "Investigate 55 errors; most frequent: Timeout (40)"
    assert "• Timeout (40)\n• b (15)" in found.content.body
    assert "zero" not in found.content.body
    assert len(found.targets) == 2
    assert found.expected_value is None
    assert found.runnable is True
    advice_only = capabilities_for(email=True, payments=True, webhook=False, slack=True)
    assert _run(IssueKind.ERROR_SPIKE, data=data, caps=advice_only)[0].runnable is False


def test_low_conversion_tests_a_lower_price_only_when_margin_pays():
    funnel, cut = _run(IssueKind.LOW_CONVERSION)
    assert [t.ref for t in funnel.targets] == ["c"]
    assert "Product C: 2,000 views, 20 orders (1.0%)" in funnel.content.body
    assert cut.title == (
        "Test a 5% lower price on Product C: $100.00 → $95.00 (+$27.50 profit in 30 days expected)"
    )
    assert cut.expected_value == Money(2750, "USD")
    assert dict(cut.params) == {
        "change_pct": "-5",
        "new_price": "9500",
        "old_price": "10000",
        "product_id": "c",
    }
    thin = shop(products=(*RICH.products[:2], product("c", views=2000, orders=20, cost=1500)))
    assert _arms(_run(IssueKind.LOW_CONVERSION, data=thin)) == [
        (ActionKind.ERROR_INVESTIGATION, "checkout_funnel")
    ]


def test_money_is_never_float():
    for candidate in _run(*IssueKind):
        assert_well_formed(candidate)
        assert all(isinstance(t.value, int) for t in candidate.targets)


def test_cart_and_winback_targets_carry_the_customers_name():
    data = shop(
        abandoned_carts=(replace(cart(1, 5000), name="Ana Lee"), cart(2, 3000)),
        churned_customers=(replace(churned(1, 12000), name="Bo Chen"), churned(2, 8000)),
    )
    found = _run(IssueKind.ABANDONED_CARTS, IssueKind.HIGH_CHURN, data=data)
    names = {(c.kind, t.key): t.name for c in found for t in c.targets}
    assert names == {
        (ActionKind.CART_RECOVERY_EMAIL, "cart:c1"): "Ana Lee",
        (ActionKind.CART_RECOVERY_EMAIL, "cart:c2"): None,
        (ActionKind.WINBACK_EMAIL, "customer:u1"): "Bo Chen",
        (ActionKind.WINBACK_EMAIL, "customer:u2"): None,
    }


def test_carts_and_lapsed_customers_an_email_could_not_reach_are_left_out():
    reach = Reach(
        blocked_emails=frozenset({"u1@example.com"}),
        measuring={
            ActionKind.CART_RECOVERY_EMAIL: frozenset({"c2"}),  # by cart
            ActionKind.WINBACK_EMAIL: frozenset({"u2"}),  # by customer
        },
    )
    data = replace(RICH, abandoned_carts=(*RICH.abandoned_carts, cart(3, 1000)))
    issues = [issue(IssueKind.ABANDONED_CARTS), issue(IssueKind.HIGH_CHURN)]
    found = recover(issues, data, ALL_CAPS, DRAFTER, NOW, reach=reach)
    carts = [c for c in found if c.kind is ActionKind.CART_RECOVERY_EMAIL]
    assert carts
    assert {tuple(t.key for t in c.targets) for c in carts} == {("cart:c3",)}
    assert carts[0].title.startswith("Email 1 customer who left $10.00 in carts")
    assert not [c for c in found if c.kind is ActionKind.WINBACK_EMAIL]  # u1 blocked, u2 measured
    everyone = recover(issues, data, ALL_CAPS, DRAFTER, NOW)
    assert any(c.kind is ActionKind.WINBACK_EMAIL for c in everyone)
