"""What a proposal is truly worth to the demo shop, from its hidden truth (never for the learner).

Per proposal: P(approved) x the sum over the targets that are sent (the held-out control is
not) of P(respond) x the value of a response. Values are what the shop's reaction writes: an
order of the offered products (campaign, bundle), a friend's first order of two popular
products (referral), the abandoned cart (cart recovery, only the share that would not have come
back anyway), the first month of a subscription (win-back, what its lift window sees) and the
failed payment (retry). Advice is worth nothing here: the demo runs no webhook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.demo import catalog
from engine.demo.deliver import discount_pct, ladder_rate
from engine.demo.preferences import Preferences
from engine.demo.truth import Truth
from engine.measure import offered_products
from engine.model import ActionKind, Target

Proposal = tuple[ActionKind, str, Mapping[str, str], Sequence[Target]]  # kind, variant, ...


@dataclass(frozen=True, slots=True)
class Worth:
    """A proposal's true P(approved), response rate, value per response and expected value."""

    p_approved: float
    response_rate: float
    value_per_response: float  # minor units
    expected_value: float  # minor units per proposal: P(approved) x responses x value

    @property
    def per_target(self) -> float:
        """Expected value per targeted customer if approved: response rate x value."""
        return self.response_rate * self.value_per_response


def true_worth(
    truth: Truth,
    preferences: Preferences,
    proposal: Proposal,
    *,
    currency: str,
    holdout: float,
) -> Worth:
    """The truth about one proposal (kind, variant, params, targets) in `currency`."""
    kind, variant, _, targets = proposal
    p_approved = preferences.p_approved(kind, variant)
    rate, value = _response(truth, proposal, currency)
    sent = len(targets) * (1.0 if kind is ActionKind.PAYMENT_RETRY else 1.0 - holdout)
    return Worth(p_approved, rate, value, p_approved * sent * rate * value)


def _response(truth: Truth, proposal: Proposal, currency: str) -> tuple[float, float]:
    """(P(respond), value of a response in minor units) of a target, averaged over targets."""
    kind, variant, params, targets = proposal
    pct = discount_pct(variant, params)
    keep = 1 - pct / 100
    responses = truth.responses
    at_stake = float(np.mean([t.value for t in targets])) if targets else 0.0
    if kind is ActionKind.CART_RECOVERY_EMAIL:
        natural = 1 - truth.base.natural_return
        return ladder_rate(responses.cart_recovery, pct) * natural, at_stake * keep
    if kind is ActionKind.PAYMENT_RETRY:
        soft = responses.retry_soft
        return sum(soft.values()) / len(soft), at_stake
    if kind is ActionKind.WINBACK_EMAIL:
        return ladder_rate(responses.winback, pct), _first_month(currency) * keep
    if kind is ActionKind.REFERRAL_INCENTIVE:
        return responses.referral, _two_popular(currency) * keep
    ladders = {
        ActionKind.EMAIL_CAMPAIGN: responses.campaign,
        ActionKind.BUNDLE_OFFER: responses.bundle,
    }
    if kind in ladders:
        return ladder_rate(ladders[kind], pct), _offered(params, currency) * keep
    return 0.0, 0.0


def _prices(currency: str) -> np.ndarray:
    return np.array([catalog.minor_units(p.price, currency) for p in catalog.PRODUCTS], float)


def _offered(params: Mapping[str, str], currency: str) -> float:
    """The offered products, one each; a random popular product when none is named."""
    prices = _prices(currency)
    ids = [int(p) for p in offered_products(params)]
    known = [i for i in ids if 1 <= i <= len(prices)]
    if not known:
        return float(prices @ catalog.popularity())
    return float(sum(prices[i - 1] for i in known))


def _two_popular(currency: str) -> float:
    """Two products drawn by popularity, a product drawn twice bought once."""
    p = catalog.popularity()
    return float(_prices(currency) @ (1 - (1 - p) ** 2))


def _first_month(currency: str) -> float:
    prices = np.array(
        [catalog.minor_units(price, currency) for _, price, _ in catalog.PLANS], float
    )
    return float(prices @ catalog.plan_shares())
