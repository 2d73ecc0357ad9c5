"""Card declines: which can be retried, and how likely one retry of each code succeeds."""

from __future__ import annotations

from decimal import Decimal

from engine.model import FailedPayment

# Success of one retry by decline code, from published card-network retry studies, rounded down.
RETRY_PRIOR = {
    "processing_error": Decimal("0.50"),
    "try_again_later": Decimal("0.45"),
    "issuer_not_available": Decimal("0.40"),
    "insufficient_funds": Decimal("0.30"),
    "card_velocity_exceeded": Decimal("0.20"),
    "generic_decline": Decimal("0.15"),
    "do_not_honor": Decimal("0.10"),
}
RETRY_PRIOR_DEFAULT = Decimal("0.10")

# Codes that never succeed on retry, even if the provider did not flag them hard.
# fmt: off
HARD_DECLINE_CODES = frozenset({
    "stolen_card", "lost_card", "pickup_card", "fraudulent", "expired_card", "incorrect_number",
    "invalid_account", "card_not_supported", "currency_not_supported", "do_not_try_again",
    "restricted_card", "revocation_of_authorization", "security_violation",
})
# fmt: on


def is_hard_decline(payment: FailedPayment) -> bool:
    """True when a retry cannot succeed: flagged hard, or a code that always is."""
    return payment.hard_decline or payment.decline_code.lower() in HARD_DECLINE_CODES


def retry_prior(decline_code: str) -> Decimal:
    """The chance one retry of a soft decline with this code succeeds."""
    return RETRY_PRIOR.get(decline_code.lower(), RETRY_PRIOR_DEFAULT)
