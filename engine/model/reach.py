"""Who a new e-mail action could reach now: the contact policy's view, taken before generating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.model.actions import Target
from engine.model.enums import ActionKind

# Kinds whose conversions are the cart or payment itself; for the others it is the customer.
REF_KINDS = frozenset({ActionKind.CART_RECOVERY_EMAIL, ActionKind.PAYMENT_RETRY})


def conversion_ref(kind: ActionKind, target: Target) -> str | None:
    """What converts for a target: the cart or payment itself, else the customer."""
    return target.ref if kind in REF_KINDS else target.customer_id


@dataclass(frozen=True, slots=True)
class Reach:
    """Addresses no e-mail may go to now, and per kind the refs already being measured."""

    blocked_emails: frozenset[str] = frozenset()  # suppressed or at the frequency cap
    measuring: Mapping[ActionKind, frozenset[str]] = field(default_factory=dict)

    def allows(self, kind: ActionKind, target: Target) -> bool:
        """True when an action of `kind` would send to `target` rather than skip it."""
        if target.email and target.email.strip().lower() in self.blocked_emails:
            return False
        ref = conversion_ref(kind, target)
        return ref is None or ref not in self.measuring.get(kind, frozenset())
