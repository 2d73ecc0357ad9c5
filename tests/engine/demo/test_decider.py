"""The simulated owner: reproducible per seed and true to the hidden preferences."""

from __future__ import annotations

import math
from collections import Counter

from engine.demo.decider import Decider, Verdict
from engine.demo.preferences import REASONS, Preference, Preferences, draw_preferences
from engine.model import ActionKind

ARMS = [
    (ActionKind.EMAIL_CAMPAIGN, "standard"),
    (ActionKind.BUNDLE_OFFER, "standard"),
    (ActionKind.REFERRAL_INCENTIVE, "give_10"),
]


def decisions(seed: int, count: int) -> list[tuple[Verdict, str | None]]:
    decider = Decider(draw_preferences(seed), seed)
    made = []
    for i in range(count):
        kind, variant = ARMS[i % len(ARMS)]
        decision = decider.decide(kind, variant, runnable=True)
        made.append((decision.verdict, decision.reason.value if decision.reason else None))
    return made


def test_the_same_seed_decides_the_same_proposals_the_same_way() -> None:
    assert decisions(11, 300) == decisions(11, 300)
    assert decisions(11, 300) != decisions(12, 300)


def within(observed: int, trials: int, p: float) -> bool:
    """`observed` successes of `trials` is within 4 standard deviations of p."""
    return abs(observed - trials * p) <= 4 * math.sqrt(trials * p * (1 - p)) + 1


def test_decisions_follow_the_preferences_statistically() -> None:
    preference = Preference(approve=0.7, not_now=0.5, wrong_targets=0.3, other=0.2)
    preferences = Preferences({"bundle_offer/standard": preference}, ignore=0.05)
    decider = Decider(preferences, 0)
    trials = 6000
    made = [
        decider.decide(ActionKind.BUNDLE_OFFER, "standard", runnable=True) for _ in range(trials)
    ]
    verdicts = Counter(d.verdict for d in made)
    assert within(verdicts[Verdict.IGNORE], trials, 0.05)
    assert within(verdicts[Verdict.APPROVE], trials, 0.95 * 0.7)
    rejected = [d.reason for d in made if d.verdict is Verdict.REJECT]
    reasons = Counter(rejected)
    for reason, share in zip(REASONS, preference.reason_weights(), strict=True):
        assert within(reasons[reason], len(rejected), share)
    assert all(d.reason is None for d in made if d.verdict is not Verdict.REJECT)


def test_a_preferred_arm_is_approved_more_often_than_a_disliked_one() -> None:
    liked = Preference(approve=0.85, not_now=1.0, wrong_targets=0.0, other=0.0)
    disliked = Preference(approve=0.25, not_now=0.0, wrong_targets=0.0, other=1.0)
    preferences = Preferences(
        {"email_campaign/standard": liked, "bundle_offer/standard": disliked}, ignore=0.0
    )
    decider = Decider(preferences, 4)
    approved = Counter(
        kind
        for _ in range(1000)
        for kind in (ActionKind.EMAIL_CAMPAIGN, ActionKind.BUNDLE_OFFER)
        if decider.decide(kind, "standard", runnable=True).verdict is Verdict.APPROVE
    )
    assert within(approved[ActionKind.EMAIL_CAMPAIGN], 1000, 0.85)
    assert within(approved[ActionKind.BUNDLE_OFFER], 1000, 0.25)


def test_advice_is_never_approved_only_rejected_or_left_to_expire() -> None:
    decider = Decider(draw_preferences(2), 2)
    made = {
        decider.decide(ActionKind.SOCIAL_POST, "best_seller", runnable=False).verdict
        for _ in range(200)
    }
    assert made == {Verdict.REJECT, Verdict.IGNORE}
