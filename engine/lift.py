"""Measured lift: treated against held-out targets, per action and pooled per action kind.

Pure functions over counts. Per action, the lift is the difference in conversion rate of the
targets sent to and the targets held out, within an attribution window. Actions of one kind
are pooled as a stratified risk difference (weights n_t·n_c / (n_t + n_c)) whose variance
uses the Agresti-Caffo adjusted rates ((x + 1) / (n + 2)), so a control group with no
conversions still gets an honest interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from engine.model import ActionKind


@dataclass(frozen=True, slots=True)
class Group:
    """One arm of one action: targets, how many converted, and the value they brought."""

    targets: int
    conversions: int
    value: int = 0  # minor units, total over the group
    value_sq: float = 0.0  # sum of squared per-target values, for the value interval

    @classmethod
    def of(cls, refs: Iterable[str], converted: Mapping[str, int]) -> Group:
        """The group of `refs`, given which refs converted and with what value."""
        chosen = list(refs)
        values = [converted[ref] for ref in chosen if ref in converted]
        return cls(len(chosen), len(values), sum(values), float(sum(v * v for v in values)))

    @property
    def rate(self) -> float:
        """The conversion rate (0 for an empty group)."""
        return self.conversions / self.targets if self.targets else 0.0


@dataclass(frozen=True, slots=True)
class ActionLift:
    """The treated and control groups of one executed action."""

    action_id: str
    kind: ActionKind
    treated: Group
    control: Group


@dataclass(frozen=True, slots=True)
class Interval:
    """An estimate with a confidence interval."""

    estimate: float
    low: float
    high: float

    def covers(self, value: float) -> bool:
        """True when `value` lies within the interval."""
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class LiftEstimate:
    """Pooled lift of one action kind: rate difference and value per target, with intervals."""

    kind: ActionKind
    actions: int
    treated: int
    control: int
    treated_rate: float
    control_rate: float
    rate_lift: Interval  # conversion-rate difference, treated minus control
    value_lift: Interval  # minor units per target, treated minus control
    confidence: float

    @property
    def holdout_share(self) -> float:
        """The share of targets held out."""
        total = self.treated + self.control
        return self.control / total if total else 0.0


def incremental_error(lift: ActionLift) -> float:
    """Standard error of one action's incremental revenue, treated minus the scaled control.

    The per-target variance is pooled over both groups: a control of a handful of targets that
    happened not to convert would otherwise look certain.
    """
    treated, control = lift.treated, lift.control
    everyone = treated.targets + control.targets
    if treated.targets == 0 or control.targets == 0:
        return 0.0
    mean = (treated.value + control.value) / everyone
    spread = max((treated.value_sq + control.value_sq) / everyone - mean * mean, 0.0)
    return math.sqrt(spread * treated.targets * (1 + treated.targets / control.targets))


def _adjusted_variance(group: Group) -> float:
    adjusted = (group.conversions + 1) / (group.targets + 2)
    return adjusted * (1 - adjusted) / (group.targets + 2)


def _value_variance(group: Group) -> float:
    if group.targets < 2:  # noqa: PLR2004 - a variance needs two values
        return 0.0
    mean = group.value / group.targets
    spread = (group.value_sq - group.targets * mean * mean) / (group.targets - 1)
    return max(spread, 0.0) / group.targets


def _interval(estimate: float, variance: float, confidence: float) -> Interval:
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * math.sqrt(max(variance, 0.0))
    return Interval(estimate, estimate - half, estimate + half)


def pooled(lifts: Sequence[ActionLift], confidence: float = 0.95) -> LiftEstimate | None:
    """The stratified lift of actions of one kind; None without treated and control targets."""
    strata = [lift for lift in lifts if lift.treated.targets and lift.control.targets]
    if not strata:
        return None
    weights = [
        s.treated.targets * s.control.targets / (s.treated.targets + s.control.targets)
        for s in strata
    ]
    total = sum(weights)
    share = [weight / total for weight in weights]
    rate = sum(w * (s.treated.rate - s.control.rate) for w, s in zip(share, strata, strict=True))
    rate_var = sum(
        w * w * (_adjusted_variance(s.treated) + _adjusted_variance(s.control))
        for w, s in zip(share, strata, strict=True)
    )
    value = sum(
        w * (s.treated.value / s.treated.targets - s.control.value / s.control.targets)
        for w, s in zip(share, strata, strict=True)
    )
    value_var = sum(
        w * w * (_value_variance(s.treated) + _value_variance(s.control))
        for w, s in zip(share, strata, strict=True)
    )
    treated = sum(s.treated.targets for s in strata)
    control = sum(s.control.targets for s in strata)
    return LiftEstimate(
        kind=strata[0].kind,
        actions=len(strata),
        treated=treated,
        control=control,
        treated_rate=sum(s.treated.conversions for s in strata) / treated,
        control_rate=sum(s.control.conversions for s in strata) / control,
        rate_lift=_interval(rate, rate_var, confidence),
        value_lift=_interval(value, value_var, confidence),
        confidence=confidence,
    )


def by_kind(
    lifts: Iterable[ActionLift], confidence: float = 0.95
) -> dict[ActionKind, LiftEstimate]:
    """Pooled lift per action kind, for kinds with at least one measurable action."""
    groups: dict[ActionKind, list[ActionLift]] = defaultdict(list)
    for lift in lifts:
        groups[lift.kind].append(lift)
    estimates = {kind: pooled(items, confidence) for kind, items in groups.items()}
    return {kind: estimate for kind, estimate in estimates.items() if estimate is not None}


def describe(estimate: LiftEstimate) -> str:
    """One line for a card or a report: lift in points with its interval and the holdout."""
    lift = estimate.rate_lift
    return (
        f"{100 * lift.estimate:+.1f} pts conversion "
        f"({100 * estimate.confidence:.0f}% CI {100 * lift.low:+.1f} to {100 * lift.high:+.1f}) "
        f"over {estimate.control:,} held out of {estimate.treated + estimate.control:,} "
        f"in {estimate.actions} action{'s' if estimate.actions != 1 else ''}"
    )
