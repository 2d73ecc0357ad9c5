"""The learner's events and its belief about one arm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from engine.model.enums import (
    RejectReason,
)


class LearnEventKind(StrEnum):
    """What the learner hears about an arm."""

    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    VALUE = "value"  # revenue attributed later to a run that already succeeded
    ENABLED = "enabled"  # a person switched an arm back on after "never do this"


@dataclass(frozen=True, slots=True)
class LearnEvent:
    """One decision or outcome for an arm, in time order."""

    arm: str
    kind: LearnEventKind
    at: datetime
    reason: RejectReason | None = None
    value: int = 0  # minor units: a SUCCEEDED run's, if known then (else 0); a VALUE's measure
    expected: int = 0  # minor units the valued run was expected to earn when proposed; 0: unknown
    noise: int = 0  # minor units: standard error of a measured value; 0: exact or unknown


@dataclass(frozen=True, slots=True)
class ArmState:
    """The learner's belief about one arm: plain counts plus discounted posterior evidence.

    Counts explain; the evidence (pseudo-counts on top of the priors, forgotten over time)
    decides. `*_drop` is a CUSUM statistic that detects a fall below the posterior.
    """

    arm: str
    approved: int = 0
    rejected: int = 0
    expired: int = 0
    succeeded: int = 0
    failed: int = 0
    value_total: int = 0  # minor units over the runs whose value is known
    valued: int = 0  # runs whose value is known: at their outcome, or measured later
    disabled: bool = False  # "never do this", until ENABLED
    approve_yes: float = 0.0
    approve_no: float = 0.0
    approve_recent_yes: float = 0.0
    approve_recent_no: float = 0.0
    approve_drop: float = 0.0
    success_yes: float = 0.0
    success_no: float = 0.0
    success_recent_yes: float = 0.0
    success_recent_no: float = 0.0
    success_drop: float = 0.0
    # value_*: over valued runs, each weighted by its reliability (`posterior.reliability`)
    value_weight: float = 0.0
    value_sum: float = 0.0
    value_expected: float = 0.0  # what those with a known expectation were expected to earn
    value_expected_weight: float = 0.0  # how many of them
    resets: int = 0  # changes detected
    updated_at: datetime | None = None  # time the evidence was last discounted to

    @property
    def pending(self) -> int:
        """Approved runs whose outcome has not landed yet."""
        return max(0, self.approved - self.succeeded - self.failed)
