from bot.home import preferences
from engine.model import ArmState

CARTS = "abandoned_carts/cart_recovery_email/discount_10"
WINBACK = "high_churn/winback_email/standard"


def test_preferences_rank_decided_arms_and_give_the_learners_reason() -> None:
    arms = [
        ArmState(WINBACK, approved=1, rejected=3),
        ArmState(
            CARTS, approved=4, rejected=1, succeeded=3, failed=1, valued=3, value_total=12_600
        ),
        ArmState("income/social_post/standard"),  # never decided: not a preference yet
        ArmState("income/price_test/standard", approved=5, disabled=True),
    ]
    ranked = preferences(arms, "USD")
    assert [arm for arm, _ in ranked] == [CARTS, WINBACK]
    reason = dict(ranked)[CARTS]
    assert reason.startswith("approved 4 of 5")
    assert "3 of 4 runs succeeded" in reason
    assert "recovered $31.50 per run on average" in reason  # $126.00 over 4 runs
