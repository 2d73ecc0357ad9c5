"""Rates for one simulated hour: base rates, seasonality in the business timezone, incidents."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.demo.truth import SELF_RETRY, SELF_RETRY_FAILURE, BaseRates, Incident

# Relative traffic by local hour (00-23): quiet nights, a lunch bump, an evening peak.
_PROFILE = (
    0.55, 0.38, 0.28, 0.22, 0.22, 0.30, 0.50, 0.75, 0.95, 1.05, 1.10, 1.15,
    1.25, 1.20, 1.10, 1.05, 1.05, 1.15, 1.35, 1.60, 1.75, 1.70, 1.35, 0.95,
)  # fmt: skip
DAILY_PROFILE = tuple(weight * len(_PROFILE) / sum(_PROFILE) for weight in _PROFILE)
# Sundays are busiest, Wednesdays quietest; a small, smooth swing so that adjacent 24 h
# windows differ by under 4 % and the 15 % revenue-drop rule never fires on seasonality.
WEEKLY_AMPLITUDE = 0.04
_WEEKLY_PEAK = 6.8  # days after Monday 00:00 local
LOW_INTENT_CART_RATE = 0.8  # share of low-intent visitors who fill a cart (and leave)
OUTAGE_SELF_RETRY = 0.85  # during a processor incident most people simply click Pay again
CONVERSION_FLOOR = 0.3  # a revenue incident never cuts conversion below this share
HOURS_PER_MONTH = 720


@dataclass(frozen=True, slots=True)
class HourRates:
    """Expected counts and probabilities for one hour."""

    sessions: float
    low_intent_sessions: float
    cart_rate: float
    abandonment: float
    payment_failure: float
    self_retry: float
    self_retry_failure: float
    outage: bool
    churn_hazard: float  # per active subscription, this hour
    signups: float
    errors: float
    spike_errors: float


def seasonality(moment: datetime, zone: ZoneInfo) -> float:
    """Traffic relative to the average hour, by local hour of day and day of week."""
    local = moment.astimezone(zone)
    day = local.weekday() + (local.hour + local.minute / 60) / 24
    weekly = 1 + WEEKLY_AMPLITUDE * math.cos(2 * math.pi * (day - _WEEKLY_PEAK) / 7)
    return DAILY_PROFILE[local.hour] * weekly


def hour_rates(
    base: BaseRates, incident: Incident | None, hour_start: datetime, zone: ZoneInfo
) -> HourRates:
    """The rates of the hour starting at `hour_start`, with the incident applied if under way."""
    middle = hour_start + timedelta(minutes=30)
    season = seasonality(middle, zone)
    rates = HourRates(
        sessions=base.sessions_per_day / 24 * season,
        low_intent_sessions=0.0,
        cart_rate=base.cart_rate,
        abandonment=base.abandonment,
        payment_failure=base.payment_failure,
        self_retry=SELF_RETRY,
        self_retry_failure=SELF_RETRY_FAILURE,
        outage=False,
        churn_hazard=base.monthly_churn / HOURS_PER_MONTH,
        signups=base.subscribers * base.monthly_churn / HOURS_PER_MONTH,
        errors=base.errors_per_day / 24 * season,
        spike_errors=0.0,
    )
    if incident is None or not incident.active(middle):
        return rates
    hours_in = (middle - incident.onset) / timedelta(hours=1)
    return _apply(rates, incident, hours_in, season)


def conversion_multiplier(magnitude: float, hours_in: float) -> float:
    """Revenue incident: a step of half the magnitude, then a decline to `1 - magnitude` a day in.

    A single step would make the 24 h comparison fire for only about a day; a continuing
    decline keeps each day below the one before, as when a fault spreads to more visitors.
    """
    step = magnitude / 2
    daily = (1 - magnitude) / (1 - step)
    return max(CONVERSION_FLOOR, (1 - step) * float(daily ** (hours_in / 24)))


def _apply(rates: HourRates, incident: Incident, hours_in: float, season: float) -> HourRates:
    magnitude = incident.magnitude
    if incident.kind == "revenue_drop":
        # Fewer visitors manage to add to cart, so conversion falls without carts piling up.
        return replace(
            rates, cart_rate=rates.cart_rate * conversion_multiplier(magnitude, hours_in)
        )
    if incident.kind == "payment_failures":
        failure = 1 - magnitude  # retries fail alike, so attempts succeed at `magnitude`
        return replace(
            rates,
            payment_failure=failure,
            self_retry=OUTAGE_SELF_RETRY,
            self_retry_failure=failure,
            outage=True,
        )
    if incident.kind == "cart_abandonment":
        # Low-intent visitors (a coupon site listing) fill carts and leave: abandonment rises to
        # `magnitude` while the usual buyers still buy.
        carts = rates.sessions * rates.cart_rate
        extra = carts * (magnitude - rates.abandonment) / (1 - magnitude)
        return replace(rates, low_intent_sessions=extra / LOW_INTENT_CART_RATE)
    if incident.kind == "churn_spike":
        hours = (incident.until - incident.onset) / timedelta(hours=1)
        return replace(rates, churn_hazard=rates.churn_hazard + magnitude / hours)
    if incident.kind == "error_spike":
        return replace(rates, spike_errors=magnitude / 24 * season)
    raise ValueError(f"unknown incident kind {incident.kind!r}")
