from engine.actions import capabilities_for, content_hash
from engine.drafting.templates import TemplateDrafter
from engine.generate import all_candidates, generate
from engine.model import ActionKind, IssueKind, Reach
from engine.money import Money
from tests.engine.shop_builders import (
    ALL_CAPS,
    NO_CAPS,
    NOW,
    assert_well_formed,
    buyers,
    cart,
    churned,
    issue,
    pair,
    payment,
    product,
    shop,
)

DRAFTER = TemplateDrafter()
PRODUCTS = (
    product("a", name="Coffee", views=1000, orders=100, units=150, price=2000, cost=1400),
    product("b", name="Mug", views=1000, orders=40, price=1500, cost=300),
    product("c", name="Filters", views=1000, orders=0, price=500, cost=10),
)
DATA = shop(products=PRODUCTS, recent_buyers=buyers(5))


def _by_kind(candidates):
    return {c.kind: c for c in candidates}


def test_empty_data_gives_no_candidates():
    assert generate(shop(), ALL_CAPS, DRAFTER, NOW) == []
    assert all_candidates([issue(k) for k in IssueKind], shop(), ALL_CAPS, DRAFTER, NOW) == []


def test_income_actions_from_the_shops_data():
    found = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW))
    assert set(found) == {
        ActionKind.EMAIL_CAMPAIGN,
        ActionKind.REFERRAL_INCENTIVE,
        ActionKind.SOCIAL_POST,
    }
    for candidate in found.values():
        assert candidate.issue_kind is None
        assert candidate.arm.startswith("income/")
        assert_well_formed(candidate)


def test_campaign_features_the_best_margin_product_that_sells():
    campaign = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW))[ActionKind.EMAIL_CAMPAIGN]
    # Filters has the widest margin but no orders; Mug (80 %) beats Coffee (30 %)
    assert (
        campaign.title == "Email 5 recent buyers about Mug ($15.00), your best-margin product (80%)"
    )
    assert "Mug yet: it is $15.00, and 40 orders in the last 30 days" in campaign.content.body
    assert campaign.expected_value == Money(150, "USD")  # 2 % of 5 x $15
    assert [t.key for t in campaign.targets] == [f"customer:b{i}" for i in range(5)]
    mug = next(p for p in DATA.products if p.name == "Mug")
    assert campaign.params == (("product_id", mug.product_id),)  # the executor features it


def test_referral_gives_friends_a_discount_and_touches_money():
    referral = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW))[ActionKind.REFERRAL_INCENTIVE]
    assert (
        referral.title == "Ask 5 recent buyers to refer friends, who get 10% off their first order"
    )
    assert referral.variant == "give_10"
    assert referral.params == (("discount_pct", "10"),)
    assert referral.money_touching is True
    assert "{referral_link}" in referral.content.body
    # average order: $3,600.00 over 140 orders = 2,571 cents; 1 % of 5 of them = 128.55
    assert referral.expected_value == Money(129, "USD")


def test_social_post_about_the_best_seller():
    post = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW))[ActionKind.SOCIAL_POST]
    assert post.title == "Draft a social post about Coffee, your best seller (150 sold in 30 days)"
    assert (
        post.content.body
        == "Our best seller of the last 30 days: Coffee, 150 sold. Yours for $20.00."
    )
    assert post.targets[0].key == "product:a"
    assert post.expected_value is None
    slack_only = capabilities_for(email=False, payments=False, webhook=False, slack=True)
    by_kind = _by_kind(generate(DATA, slack_only, DRAFTER, NOW))
    assert by_kind[ActionKind.SOCIAL_POST].runnable is True
    assert by_kind[ActionKind.EMAIL_CAMPAIGN].runnable is False


def test_no_buyers_means_no_emails():
    found = _by_kind(generate(shop(products=PRODUCTS), ALL_CAPS, DRAFTER, NOW))
    assert set(found) == {ActionKind.SOCIAL_POST}


def test_all_candidates_combines_steps_without_duplicates():
    data = shop(
        abandoned_carts=(cart(1, 5000),),
        failed_payments=(payment(1, 2000),),
        churned_customers=(churned(1, 9000),),
        products=PRODUCTS,
        pairs=(pair("a", "b", 10),),
        recent_buyers=buyers(5),
        error_samples=(("Timeout", 30),),
    )
    issues = [issue(k) for k in IssueKind] + [issue(IssueKind.ABANDONED_CARTS)]
    found = all_candidates(issues, data, ALL_CAPS, DRAFTER, NOW)
    keys = [(c.arm, c.target_key) for c in found]
    assert len(keys) == len(set(keys))
    arms = {c.arm for c in found}
    assert {
        "abandoned_carts/cart_recovery_email/no_discount",
        "payment_failures/payment_retry/soft_declines",
        "high_churn/winback_email/discount_20",
        "error_spike/error_investigation/errors",
        "revenue_drop/email_campaign/standard",
        "income/bundle_offer/standard",
        "income/email_campaign/standard",
        "income/social_post/best_seller",
    } <= arms
    for candidate in found:
        assert_well_formed(candidate)
        assert len(content_hash(candidate)) == 64


def test_all_candidates_is_deterministic_and_follows_capabilities():
    issues = [issue(IssueKind.REVENUE_DROP)]
    first = all_candidates(issues, DATA, NO_CAPS, DRAFTER, NOW)
    again = all_candidates(issues, DATA, NO_CAPS, DRAFTER, NOW)
    assert [content_hash(c) for c in first] == [content_hash(c) for c in again]
    assert first
    assert not any(c.runnable for c in first)


def test_buyers_an_email_could_not_reach_are_left_out_and_not_counted():
    reach = Reach(
        blocked_emails=frozenset({"b0@example.com"}),  # suppressed or at the frequency cap
        measuring={ActionKind.REFERRAL_INCENTIVE: frozenset({"b1", "b2"})},
    )
    found = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW, reach))
    campaign, referral = found[ActionKind.EMAIL_CAMPAIGN], found[ActionKind.REFERRAL_INCENTIVE]
    assert [t.key for t in campaign.targets] == [f"customer:b{i}" for i in range(1, 5)]
    assert campaign.title.startswith("Email 4 recent buyers about Mug")
    assert campaign.expected_value == Money(120, "USD")  # 2 % of 4 x $15
    assert [t.key for t in referral.targets] == ["customer:b3", "customer:b4"]
    assert referral.title.startswith("Ask 2 recent buyers to refer friends")


def test_nobody_left_to_reach_means_no_email():
    everyone = frozenset(email for _, email in buyers(5))
    found = _by_kind(generate(DATA, ALL_CAPS, DRAFTER, NOW, Reach(blocked_emails=everyone)))
    assert set(found) == {ActionKind.SOCIAL_POST}
