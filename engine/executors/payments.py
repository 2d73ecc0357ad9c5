"""Payment retries through Stripe with the official SDK and our idempotency key.

A target's `ref` names what to retry: an open invoice (`in_…`, paid with `invoices.pay`) or
a payment intent (`pi_…`, confirmed). The SDK's own retries (connection errors, 409, 5xx)
reuse our Idempotency-Key, so Stripe applies each (action, target) once; a hard decline is
final and never retried; a request still unanswered after the SDK's retries is `unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import stripe
from stripe._base_address import BaseAddresses

from engine.execution_ports import Delivery, ExecutionJob, TargetResult
from engine.model import Target, TargetState

# Issuer decline codes that no retry can fix (Stripe's "do not try again" list).
HARD_DECLINES = frozenset(
    {
        "do_not_honor",
        "do_not_try_again",
        "expired_card",
        "fraudulent",
        "incorrect_number",
        "invalid_account",
        "lost_card",
        "pickup_card",
        "restricted_card",
        "revocation_of_all_authorizations",
        "revocation_of_authorization",
        "security_violation",
        "stolen_card",
        "stop_payment_order",
        "transaction_not_allowed",
    }
)


@dataclass(frozen=True, slots=True)
class StripePaymentExecutor:
    """Pays open invoices or confirms payment intents named by each target's ref."""

    api_key: str = field(repr=False)
    api_base: str | None = None
    network_retries: int = 2

    @property
    def idempotent(self) -> bool:
        """Stripe honours our Idempotency-Key for 24 hours."""
        return True

    def open(self, job: ExecutionJob) -> Delivery:
        """A session with one Stripe client."""
        del job  # the request is fixed by each target's ref and key
        addresses: BaseAddresses = {"api": self.api_base} if self.api_base else {}
        client = stripe.StripeClient(
            self.api_key, base_addresses=addresses, max_network_retries=self.network_retries
        )
        return _StripeDelivery(client)


def decline_detail(error: stripe.CardError) -> str:
    """'hard decline: stolen_card' or 'soft decline: insufficient_funds'."""
    body = error.json_body if isinstance(error.json_body, dict) else {}
    decline = str(body.get("error", {}).get("decline_code") or error.code or "card_declined")
    return f"{'hard' if decline in HARD_DECLINES else 'soft'} decline: {decline}"


@dataclass(frozen=True, slots=True)
class _StripeDelivery:
    client: stripe.StripeClient

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        return [self._retry(target, key) for target, key in zip(targets, keys, strict=True)]

    def close(self) -> None:
        return None

    def _retry(self, target: Target, key: str) -> TargetResult:
        ref = target.ref or ""
        options: stripe.RequestOptions = {"idempotency_key": key}
        try:
            if ref.startswith("in_"):
                paid = self.client.v1.invoices.pay(ref, options=options)
                ok = paid.status == "paid"
            elif ref.startswith("pi_"):
                intent = self.client.v1.payment_intents.confirm(ref, options=options)
                ok = intent.status == "succeeded"
            else:
                return TargetResult(target.key, TargetState.FAILED, "ref is no invoice or intent")
        except stripe.CardError as error:
            return TargetResult(target.key, TargetState.FAILED, decline_detail(error))
        except stripe.APIConnectionError:
            return TargetResult(target.key, TargetState.UNKNOWN, "Stripe did not answer")
        except stripe.StripeError as error:
            return TargetResult(target.key, TargetState.FAILED, f"Stripe: {error.user_message}")
        return TargetResult(target.key, TargetState.SENT if ok else TargetState.FAILED)
