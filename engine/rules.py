"""Detection thresholds (design §2), configurable through `INCOME_RULE_*` variables."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rules:
    """Thresholds for the detector; defaults are the design's table."""

    revenue_drop_pct: float = 15.0  # 24 h revenue down more than this vs the previous 24 h
    error_spike_count: int = 50  # errors in the window
    high_churn_pct: float = 5.0  # trailing 30-day subscription churn
    payment_success_min_pct: float = 90.0  # payment success rate below this
    abandoned_carts_min: int = 20  # abandoned carts in the window, and ...
    abandonment_rate_max_pct: float = 80.0  # ... the share of carts abandoned above this
    low_conversion_pct: float = 3.0  # session conversion below this
    min_sessions: int = 100  # fewer sessions than this: too little traffic to judge rates
    min_payment_attempts: int = 20  # fewer attempts than this: too few to judge success rate


# Environment variable -> (field, type). Percentages are given as numbers like "15".
RULE_VARIABLES: dict[str, tuple[str, type]] = {
    "INCOME_RULE_REVENUE_DROP_PCT": ("revenue_drop_pct", float),
    "INCOME_RULE_ERROR_SPIKE_COUNT": ("error_spike_count", int),
    "INCOME_RULE_HIGH_CHURN_PCT": ("high_churn_pct", float),
    "INCOME_RULE_PAYMENT_SUCCESS_MIN_PCT": ("payment_success_min_pct", float),
    "INCOME_RULE_ABANDONED_CARTS_MIN": ("abandoned_carts_min", int),
    "INCOME_RULE_ABANDONMENT_RATE_MAX_PCT": ("abandonment_rate_max_pct", float),
    "INCOME_RULE_LOW_CONVERSION_PCT": ("low_conversion_pct", float),
}
