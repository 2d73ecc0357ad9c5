"""A proposal's true worth to the demo shop, from the hidden truth."""

from __future__ import annotations

import pytest

from engine.demo import catalog
from engine.demo.preferences import draw_preferences
from engine.demo.truth import draw_truth
from engine.demo.worth import true_worth
from engine.model import ActionKind, Target

TRUTH = draw_truth(9)
PREFERENCES = draw_preferences(9)
BUYERS = [Target(f"customer:{i}", str(i), f"c{i}@example.com", 0, str(i)) for i in range(1, 201)]


def test_a_campaign_is_worth_approval_times_sent_targets_times_response_times_price() -> None:
    worth = true_worth(
        TRUTH,
        PREFERENCES,
        (ActionKind.EMAIL_CAMPAIGN, "standard", {"product_id": "8"}, BUYERS),
        currency="USD",
        holdout=0.1,
    )
    p = PREFERENCES.p_approved(ActionKind.EMAIL_CAMPAIGN, "standard")
    assert worth.p_approved == p
    assert worth.response_rate == TRUTH.responses.campaign[0]
    assert worth.value_per_response == 1100  # Paper Filters (100), $11.00
    assert worth.expected_value == pytest.approx(p * 180 * TRUTH.responses.campaign[0] * 1100)


def test_a_bundle_is_the_order_of_both_products_and_a_referral_two_popular_ones() -> None:
    bundle = true_worth(
        TRUTH,
        PREFERENCES,
        (ActionKind.BUNDLE_OFFER, "standard", {"first_id": "7", "second_id": "8"}, BUYERS),
        currency="USD",
        holdout=0.1,
    )
    assert bundle.value_per_response == 2900 + 1100
    referral = true_worth(
        TRUTH,
        PREFERENCES,
        (ActionKind.REFERRAL_INCENTIVE, "give_10", {"discount_pct": "10"}, BUYERS),
        currency="USD",
        holdout=0.1,
    )
    cheapest, dearest = (
        min(p.price for p in catalog.PRODUCTS),
        max(p.price for p in catalog.PRODUCTS),
    )
    assert 0.9 * cheapest * 100 < referral.value_per_response < 0.9 * 2 * dearest * 100
    assert referral.response_rate == TRUTH.responses.referral


def test_advice_is_worth_nothing_in_the_demo() -> None:
    worth = true_worth(
        TRUTH,
        PREFERENCES,
        (ActionKind.SOCIAL_POST, "best_seller", {"product_id": "1"}, [Target("product:1")]),
        currency="USD",
        holdout=0.1,
    )
    assert worth.expected_value == 0.0
