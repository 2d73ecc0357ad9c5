"""The demo business owner's hidden taste: how likely each kind of proposal is approved.

Drawn per seed from a random stream of its own, so adding it changed none of the seed's other
draws. Only the simulated decider (`engine.demo.decider`) and the closed-loop summary read it;
the learner never does: it has to find out from the decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from engine.model import ActionKind, RejectReason

_PREFERENCE_STREAM = 5
# Reasons a simulated person gives; "never" is left out: it would switch an arm off for good.
REASONS = (RejectReason.NOT_NOW, RejectReason.WRONG_TARGETS, RejectReason.OTHER)
# Every (kind, variant) the engine proposes today; others fall back to their kind's entry.
KNOWN_VARIANTS: tuple[tuple[ActionKind, str], ...] = (
    (ActionKind.CART_RECOVERY_EMAIL, "no_discount"),
    (ActionKind.CART_RECOVERY_EMAIL, "discount_10"),
    (ActionKind.PAYMENT_RETRY, "soft_declines"),
    (ActionKind.WINBACK_EMAIL, "standard"),
    (ActionKind.WINBACK_EMAIL, "discount_20"),
    (ActionKind.EMAIL_CAMPAIGN, "standard"),
    (ActionKind.BUNDLE_OFFER, "standard"),
    (ActionKind.REFERRAL_INCENTIVE, "give_10"),
    (ActionKind.PRICE_TEST, "plus_5"),
    (ActionKind.PRICE_TEST, "minus_5"),
    (ActionKind.ERROR_INVESTIGATION, "errors"),
    (ActionKind.ERROR_INVESTIGATION, "checkout_funnel"),
    (ActionKind.SOCIAL_POST, "best_seller"),
    (ActionKind.LEAKAGE_REVIEW, "refunds_discounts"),
    (ActionKind.LEAKAGE_REVIEW, "below_cost"),
)
ANY_VARIANT = "*"


@dataclass(frozen=True, slots=True)
class Preference:
    """How one kind/variant is decided once someone looks: approve, else reject why."""

    approve: float  # P(approved | decided)
    not_now: float  # shares of the rejections by reason; they sum to 1
    wrong_targets: float
    other: float

    def reason_weights(self) -> tuple[float, ...]:
        """The rejection shares in `REASONS` order."""
        return (self.not_now, self.wrong_targets, self.other)


@dataclass(frozen=True, slots=True)
class Preferences:
    """Per "kind/variant" preferences, and the share of proposals nobody looks at (expire)."""

    by_arm: Mapping[str, Preference]
    ignore: float  # P(a proposal is left to expire), whatever it is

    def of(self, kind: ActionKind | str, variant: str) -> Preference:
        """The preference for a kind and variant; an unknown variant gets its kind's."""
        name = ActionKind(kind).value
        found = self.by_arm.get(f"{name}/{variant}") or self.by_arm.get(f"{name}/{ANY_VARIANT}")
        if found is None:
            raise KeyError(f"no preference for {name}/{variant}")
        return found

    def p_approved(self, kind: ActionKind | str, variant: str) -> float:
        """The chance a proposal of this kind and variant is approved (expiries included)."""
        return (1 - self.ignore) * self.of(kind, variant).approve


def draw_preferences(seed: int) -> Preferences:
    """The hidden preferences of a seed: discounts and advice are approved less on average."""
    rng = np.random.default_rng([seed, _PREFERENCE_STREAM])
    by_arm: dict[str, Preference] = {}
    for kind in ActionKind:
        by_arm[f"{kind.value}/{ANY_VARIANT}"] = _draw_one(rng, 0.2, 0.8)
    for kind, variant in KNOWN_VARIANTS:
        low, high = (
            (0.15, 0.7) if "discount" in variant or kind is ActionKind.PRICE_TEST else (0.3, 0.9)
        )
        by_arm[f"{kind.value}/{variant}"] = _draw_one(rng, low, high)
    return Preferences(by_arm=by_arm, ignore=float(rng.uniform(0.02, 0.06)))


def _draw_one(rng: np.random.Generator, low: float, high: float) -> Preference:
    approve = float(rng.uniform(low, high))
    shares = rng.dirichlet((3.0, 2.0, 1.0))
    return Preference(approve, float(shares[0]), float(shares[1]), float(shares[2]))


def preferences_to_json(preferences: Preferences) -> dict[str, Any]:
    """A JSON-able form for the state row."""
    return {
        "ignore": preferences.ignore,
        "by_arm": {arm: asdict(pref) for arm, pref in preferences.by_arm.items()},
    }


def preferences_from_json(data: Mapping[str, Any]) -> Preferences:
    """Read back what `preferences_to_json` wrote."""
    by_arm = {str(arm): Preference(**raw) for arm, raw in data["by_arm"].items()}
    return Preferences(by_arm=by_arm, ignore=float(data["ignore"]))
