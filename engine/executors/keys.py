"""Keys derived from an action and a target: idempotency keys, Message-IDs, the holdout."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from engine.drafting.base import EMAIL_KINDS
from engine.model import ActionKind


def idempotency_key(action_id: str, target_key: str) -> str:
    """The key every provider sees for one (action, target): the same on every retry."""
    digest = hashlib.sha256(f"{action_id}\x00{target_key}".encode()).hexdigest()
    return f"{action_id}-{digest[:24]}"


def message_id(action_id: str, recipient: str, domain: str) -> str:
    """A Message-ID fixed by action and recipient, so a resend would be recognisable."""
    digest = hashlib.sha256(f"{action_id}\x00{recipient.strip().lower()}".encode()).hexdigest()
    return f"<{action_id}.{digest[:20]}@{domain}>"


def holds_out(kind: ActionKind) -> bool:
    """Marketing actions keep a control group; payment retries and webhooks never do."""
    return kind in EMAIL_KINDS


def holdout_keys(action_id: str, keys: Sequence[str], share: float) -> set[str]:
    """`share` of the target keys, chosen at random but fixed by the action id."""
    count = round(len(keys) * share)
    if count <= 0:
        return set()
    seed = int.from_bytes(hashlib.sha256(action_id.encode()).digest()[:8], "big")
    return set(random.Random(seed).sample(sorted(keys), count))
