"""A simulated business owner deciding demo proposals from the shop's hidden preferences (pure).

Per proposal, in the order they are shown: with the seed's `ignore` chance nobody looks and it
expires; otherwise it is approved with its kind/variant's chance, else rejected with a reason
drawn from that kind/variant's reason shares. Advice has no Approve button: a proposal the
owner likes but cannot approve is left to expire (read, then acted on outside the engine).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from engine.demo.preferences import REASONS, Preferences
from engine.model import ActionKind, RejectReason

_DECIDER_STREAM = 6


class Verdict(StrEnum):
    """What the simulated owner does with one proposal."""

    APPROVE = "approve"
    REJECT = "reject"
    IGNORE = "ignore"  # left to expire


@dataclass(frozen=True, slots=True)
class Decision:
    """One simulated decision; `reason` only for rejections."""

    verdict: Verdict
    reason: RejectReason | None = None


class Decider:
    """Draws decisions from hidden preferences; the same seed and proposals, the same decisions."""

    def __init__(self, preferences: Preferences, seed: int) -> None:
        self.preferences = preferences
        self._rng = random.Random(f"{seed}:{_DECIDER_STREAM}")

    def decide(self, kind: ActionKind | str, variant: str, *, runnable: bool) -> Decision:
        """The decision on one proposal of `kind` and `variant`."""
        preference = self.preferences.of(kind, variant)
        if self._rng.random() < self.preferences.ignore:
            return Decision(Verdict.IGNORE)
        if self._rng.random() < preference.approve:
            return Decision(Verdict.APPROVE if runnable else Verdict.IGNORE)
        reason = self._rng.choices(REASONS, weights=preference.reason_weights())[0]
        return Decision(Verdict.REJECT, reason)
