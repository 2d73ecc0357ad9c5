"""The hidden truth of one seed: base rates, the scenario's incident and responses to actions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from engine.demo.catalog import SOFT_DECLINES
from engine.demo.preferences import (
    Preferences,
    draw_preferences,
    preferences_from_json,
    preferences_to_json,
)

NORMAL = "normal"
SELF_RETRY = 0.5  # share of declined customers who try again at once (another card)
SELF_RETRY_FAILURE = 0.2  # share of those second attempts declined too
_TRUTH_STREAM = 1
_INCIDENT_STREAM = 2
# Per scenario: (hours before the end of history the incident starts, hours it lasts after
# the end of history, magnitude range). Onsets are a day or more back so the first report's
# 24 h window is inside the incident; it lasts long enough to stay tripped for a day more.
_INCIDENTS: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    "revenue_drop": ((22.0, 28.0), (36.0, 60.0), (0.40, 0.55)),  # conversion cut after a day
    "payment_failures": ((26.0, 36.0), (30.0, 54.0), (0.72, 0.84)),  # attempt success rate
    "cart_abandonment": ((26.0, 36.0), (30.0, 54.0), (0.85, 0.93)),  # cart abandonment rate
    "churn_spike": ((20.0, 36.0), (6.0, 18.0), (0.06, 0.09)),  # extra share of subscribers lost
    "error_spike": ((26.0, 36.0), (30.0, 54.0), (80.0, 300.0)),  # errors per day
}


@dataclass(frozen=True, slots=True)
class BaseRates:
    """How the shop behaves when nothing is wrong, drawn per seed within realistic ranges."""

    sessions_per_day: float
    cart_rate: float  # share of organic sessions that put something in a cart
    abandonment: float  # share of carts left without checkout
    payment_failure: float  # share of first checkout attempts declined
    monthly_churn: float  # share of subscribers cancelling per 30 days
    errors_per_day: float
    natural_return: float  # share of abandoned carts whose owner comes back unprompted
    refund_rate: float
    promo_share: float  # share of orders using the 10 % promo code
    subscribers: int  # active subscribers when history starts


@dataclass(frozen=True, slots=True)
class Responses:
    """True response rates to delivered actions; (0 %, 10 %, 20 %) discount points."""

    cart_recovery: tuple[float, float, float]
    winback: tuple[float, float, float]
    campaign: tuple[float, float, float]
    bundle: tuple[float, float, float]
    referral: float
    retry_soft: dict[str, float]
    retry_hard: float


@dataclass(frozen=True, slots=True)
class Truth:
    """Everything hidden about a seed; `preferences` is None in rows stored before it existed."""

    base: BaseRates
    responses: Responses
    preferences: Preferences | None = None


@dataclass(frozen=True, slots=True)
class Incident:
    """The scenario's problem: what, from when until when, and how bad."""

    kind: str
    onset: datetime
    until: datetime
    magnitude: float

    def active(self, moment: datetime) -> bool:
        """True while the incident is under way."""
        return self.onset <= moment < self.until


def draw_truth(seed: int) -> Truth:
    """The base and response rates and the owner's preferences (independent of the scenario)."""
    rng = np.random.default_rng([seed, _TRUTH_STREAM])
    u = rng.uniform
    abandonment = u(0.66, 0.71)
    failure = u(0.047, 0.06)
    natural = u(0.01, 0.03)
    target = u(0.14, 0.16)  # paid orders per session
    unpaid = failure * (1 - SELF_RETRY * (1 - SELF_RETRY_FAILURE))
    base = BaseRates(
        sessions_per_day=u(2600.0, 3000.0),
        cart_rate=target / (((1 - abandonment) + abandonment * natural) * (1 - unpaid)),
        abandonment=abandonment,
        payment_failure=failure,
        monthly_churn=u(0.025, 0.033),
        errors_per_day=u(4.0, 12.0),
        natural_return=natural,
        refund_rate=u(0.02, 0.04),
        promo_share=u(0.08, 0.12),
        subscribers=int(rng.integers(2200, 2800)),
    )
    responses = _draw_responses(rng)
    return Truth(base=base, responses=responses, preferences=draw_preferences(seed))


def _ladder(rng: np.random.Generator, low: float, high: float, gain: float) -> tuple[float, ...]:
    """Rates at 0, 10 and 20 % discount: more with 10 %, and more or slightly less with 20 %."""
    first = rng.uniform(low, high)
    second = first + rng.uniform(0.2, 0.8) * gain
    third = second + rng.uniform(-0.15, 0.45) * gain
    return (first, second, third)


def _draw_responses(rng: np.random.Generator) -> Responses:
    cart = _ladder(rng, 0.05, 0.12, 0.08)
    winback = _ladder(rng, 0.02, 0.05, 0.03)
    campaign = _ladder(rng, 0.01, 0.03, 0.02)
    bundle = _ladder(rng, 0.015, 0.04, 0.025)
    soft = {code: float(rng.uniform(0.4, 0.7)) for code, _ in SOFT_DECLINES}
    return Responses(
        cart_recovery=(cart[0], cart[1], cart[2]),
        winback=(winback[0], winback[1], winback[2]),
        campaign=(campaign[0], campaign[1], campaign[2]),
        bundle=(bundle[0], bundle[1], bundle[2]),
        referral=float(rng.uniform(0.005, 0.02)),
        retry_soft=soft,
        retry_hard=float(rng.uniform(0.0, 0.02)),
    )


def draw_incident(seed: int, scenario: str, end: datetime) -> Incident | None:
    """The scenario's incident, timed relative to the end of seeded history; None for normal."""
    if scenario == NORMAL:
        return None
    if scenario not in _INCIDENTS:
        raise ValueError(f"unknown demo scenario {scenario!r}")
    (before_lo, before_hi), (after_lo, after_hi), (mag_lo, mag_hi) = _INCIDENTS[scenario]
    rng = np.random.default_rng([seed, _INCIDENT_STREAM, sorted(_INCIDENTS).index(scenario)])
    before = rng.uniform(before_lo, before_hi)
    after = rng.uniform(after_lo, after_hi)
    magnitude = float(rng.uniform(mag_lo, mag_hi))
    onset = end - timedelta(hours=float(before))
    return Incident(scenario, onset, end + timedelta(hours=float(after)), magnitude)


def truth_to_json(truth: Truth) -> dict[str, Any]:
    """A JSON-able form for the state row."""
    data = {"base": asdict(truth.base), "responses": asdict(truth.responses)}
    if truth.preferences is not None:
        data["preferences"] = preferences_to_json(truth.preferences)
    return data


def truth_from_json(data: dict[str, Any]) -> Truth:
    """Read back what `truth_to_json` wrote."""
    base = BaseRates(**data["base"])
    raw = data["responses"]
    ladders = {
        name: tuple(raw[name]) for name in ("cart_recovery", "winback", "campaign", "bundle")
    }
    responses = Responses(
        referral=raw["referral"],
        retry_soft=dict(raw["retry_soft"]),
        retry_hard=raw["retry_hard"],
        **ladders,
    )
    stored = data.get("preferences")
    preferences = preferences_from_json(stored) if stored is not None else None
    return Truth(base=base, responses=responses, preferences=preferences)
