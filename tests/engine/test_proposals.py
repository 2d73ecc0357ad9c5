"""Customer targets shared by recover, optimize and generate: keys, refs and names."""

from __future__ import annotations

from engine.actions import Context
from engine.drafting.templates import TemplateDrafter
from engine.model import ActionKind, Target
from engine.proposals import buyer_targets, customer_target
from tests.engine.shop_builders import ALL_CAPS, NOW, buyers, shop


def test_a_customer_target_is_keyed_and_referred_to_by_the_customer_id() -> None:
    target = customer_target("u1", "u1@example.com", 1_200, "Ana Lee")
    assert target == Target("customer:u1", "u1", "u1@example.com", 1_200, "u1", "Ana Lee")


def test_recent_buyers_carry_their_names_when_the_source_knows_them() -> None:
    data = shop(recent_buyers=buyers(3), buyer_names=(("b0", "Ana Lee"), ("b2", "Cy Diaz")))
    targets, total = buyer_targets(
        Context(data, ALL_CAPS, TemplateDrafter(), NOW), ActionKind.EMAIL_CAMPAIGN
    )
    assert total == 3
    assert {t.key: t.name for t in targets} == {
        "customer:b0": "Ana Lee",
        "customer:b1": None,
        "customer:b2": "Cy Diaz",
    }
