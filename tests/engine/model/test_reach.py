"""`Reach.allows`: the contact policy's view, per kind, of one target."""

from engine.model import ActionKind, Reach, Target

ANA = Target("customer:1", customer_id="1", email="Ana@Example.com", ref="1")
CART = Target("cart:9", customer_id="1", email="ana@example.com", ref="9")


def test_everyone_is_reachable_by_default() -> None:
    assert Reach().allows(ActionKind.BUNDLE_OFFER, ANA)


def test_a_blocked_address_is_unreachable_for_every_kind_whatever_its_case() -> None:
    reach = Reach(blocked_emails=frozenset({"ana@example.com"}))
    assert not reach.allows(ActionKind.BUNDLE_OFFER, ANA)
    assert not reach.allows(ActionKind.CART_RECOVERY_EMAIL, CART)


def test_measuring_is_per_kind_by_customer_or_by_cart() -> None:
    reach = Reach(
        measuring={
            ActionKind.BUNDLE_OFFER: frozenset({"1"}),
            ActionKind.CART_RECOVERY_EMAIL: frozenset({"8"}),
        }
    )
    assert not reach.allows(ActionKind.BUNDLE_OFFER, ANA)
    assert reach.allows(ActionKind.EMAIL_CAMPAIGN, ANA)
    assert reach.allows(ActionKind.CART_RECOVERY_EMAIL, CART)  # cart 9, not customer 1
    assert not reach.allows(ActionKind.CART_RECOVERY_EMAIL, Target("cart:8", "1", None, ref="8"))
