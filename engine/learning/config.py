"""The learner's tunable constants: priors, forgetting, change detection, safe exploration."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from engine.model import RejectReason

Prior = tuple[float, float]  # Beta pseudo-counts: (yes, no)


def _reject_weights() -> dict[RejectReason | None, float]:
    return {
        RejectReason.NOT_NOW: 0.5,  # about timing, not the action
        RejectReason.WRONG_TARGETS: 0.5,  # about who, not what
        RejectReason.OTHER: 1.0,
        RejectReason.NEVER: 1.5,  # also switches the arm off until re-enabled
        None: 1.0,
    }


@dataclass(frozen=True, slots=True)
class LearnConfig:
    """How the learner weighs evidence; the defaults are what the benchmark measures."""

    approval_prior: Prior = (2.0, 1.0)  # people approve most sensible proposals
    success_prior: Prior = (1.0, 4.0)  # most recovery actions win back a minority
    success_priors: tuple[tuple[str, Prior], ...] = ()  # (arm prefix, prior), first match wins
    value_prior_weight: float = 2.0  # runs' worth of trust in a candidate's expected value
    value_spread: float = 3.0  # a candidate's expected value may be off by about this factor
    half_life_hours: float = 250.0  # evidence halves over this time: drift is followed
    recent_keep: float = 0.95  # per-observation keep of the recent window (about 20 runs)
    drop_ratio: float = 0.4  # the fall the change detector looks for: rate x this ratio
    drop_threshold: float = 5.0  # CUSUM log-likelihood at which an arm is reset to recent
    sharpness: float = 6.0  # evidence counts this many times in a Thompson draw: explores less
    reset_keep: float = 0.1  # share of the long memory kept on a reset, next to the recent window
    expiry_weight: float = 0.25  # an expiry is a weak "no": nobody may have looked
    reject_weights: dict[RejectReason | None, float] = field(default_factory=_reject_weights)
    explore_money_limit: int = 10_000  # minor units: above it, money-touching exploration says so
    min_decisions: int = 3  # fewer decisions than this and an arm is still being explored

    def success_prior_for(self, arm: str) -> Prior:
        """The success prior of the first matching prefix, else the default one."""
        for prefix, prior in self.success_priors:
            if arm.startswith(prefix):
                return prior
        return self.success_prior


DEFAULT_CONFIG = LearnConfig()


# Bumped when folding changes meaning, so states folded by an earlier version are folded again.
# 2: a succeeded run without a value is not valued at 0; a valued run counts by its reliability
#    and corrects the candidate's estimate in proportion to what it was expected to earn.
FOLD_VERSION = 2


def config_key(config: LearnConfig) -> str:
    """A fingerprint of the settings folded states depend on: a change means fold again."""
    return hashlib.sha256(f"{FOLD_VERSION}:{config!r}".encode()).hexdigest()[:16]
