"""Folding events into an arm's two-stage posterior, forgetting, and change detection (pure)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime

from engine.learning.config import LearnConfig, Prior
from engine.model import ArmState, LearnEvent, LearnEventKind, RejectReason

APPROVE, SUCCESS = "approve", "success"
_EVIDENCE = (
    "approve_yes",
    "approve_no",
    "success_yes",
    "success_no",
    "value_weight",
    "value_sum",
    "value_expected",
    "value_expected_weight",
)


def apply(state: ArmState, event: LearnEvent, config: LearnConfig) -> ArmState:
    """The arm's state after one event (discounted to the event's time first)."""
    state = discount(state, event.at, config)
    if event.kind in _DECISIONS:
        return _decision(state, event, config)
    return _outcome(state, event, config)


_DECISIONS = (LearnEventKind.APPROVED, LearnEventKind.REJECTED, LearnEventKind.EXPIRED)


def _decision(state: ArmState, event: LearnEvent, config: LearnConfig) -> ArmState:
    if event.kind is LearnEventKind.APPROVED:
        state = replace(state, approved=state.approved + 1)
        return observe(state, APPROVE, 1.0, 1.0, config)
    if event.kind is LearnEventKind.REJECTED:
        weight = config.reject_weights.get(event.reason, 1.0)
        disabled = state.disabled or event.reason is RejectReason.NEVER
        state = replace(state, rejected=state.rejected + 1, disabled=disabled)
        return observe(state, APPROVE, 0.0, weight, config)
    state = replace(state, expired=state.expired + 1)
    return observe(state, APPROVE, 0.0, config.expiry_weight, config)


def _outcome(state: ArmState, event: LearnEvent, config: LearnConfig) -> ArmState:
    match event.kind:
        case LearnEventKind.SUCCEEDED:
            if event.value:  # else its value is measured later (VALUE) or never
                state = _add_value(state, event, config)
            state = replace(state, succeeded=state.succeeded + 1)
            return observe(state, SUCCESS, 1.0, 1.0, config)
        case LearnEventKind.FAILED:
            state = replace(state, failed=state.failed + 1)
            return observe(state, SUCCESS, 0.0, 1.0, config)
        case LearnEventKind.VALUE:
            return _add_value(state, event, config)
        case _:
            return replace(state, disabled=False)


def discount(state: ArmState, at: datetime, config: LearnConfig) -> ArmState:
    """Forget evidence by half every `half_life_hours` since the state was last discounted."""
    if state.updated_at is None or at <= state.updated_at:
        return state if state.updated_at is not None else replace(state, updated_at=at)
    hours = (at - state.updated_at).total_seconds() / 3600
    keep = 0.5 ** (hours / config.half_life_hours)
    changes: dict[str, float] = {name: getattr(state, name) * keep for name in _EVIDENCE}
    return replace(state, updated_at=at, **changes)  # type: ignore[arg-type]


def observe(
    state: ArmState, stage: str, yes: float, weight: float, config: LearnConfig
) -> ArmState:
    """Add a weighted yes (1.0) or no (0.0) to a stage; reset the stage on a detected fall.

    The detector is a CUSUM of the log-likelihood ratio of "the rate fell to `drop_ratio` of
    the posterior mean" against "it did not". Past `drop_threshold` the stage's long memory is
    replaced by its recent window, so a revealed change is followed within a few runs.
    """
    mean = rate(state, stage, config)
    low = mean * config.drop_ratio
    step = math.log(low / mean) if yes else math.log((1 - low) / (1 - mean))
    drop = max(0.0, getattr(state, f"{stage}_drop") + weight * step)
    keep = config.recent_keep
    values = {
        f"{stage}_yes": getattr(state, f"{stage}_yes") + weight * yes,
        f"{stage}_no": getattr(state, f"{stage}_no") + weight * (1 - yes),
        f"{stage}_recent_yes": getattr(state, f"{stage}_recent_yes") * keep + weight * yes,
        f"{stage}_recent_no": getattr(state, f"{stage}_recent_no") * keep + weight * (1 - yes),
        f"{stage}_drop": drop,
    }
    if drop > config.drop_threshold:
        for side in ("yes", "no"):
            long, recent = values[f"{stage}_{side}"], values[f"{stage}_recent_{side}"]
            values[f"{stage}_{side}"] = recent + config.reset_keep * max(0.0, long - recent)
        values[f"{stage}_drop"] = 0.0
        return replace(state, resets=state.resets + 1, **values)
    return replace(state, **values)


def _add_value(state: ArmState, event: LearnEvent, config: LearnConfig) -> ArmState:
    """One run's known value: a succeeded run still being measured does not count as 0."""
    weight = reliability(event, config.value_spread)
    known = weight if event.expected > 0 else 0.0
    return replace(
        state,
        value_total=state.value_total + event.value,
        valued=state.valued + 1,
        value_weight=state.value_weight + weight,
        value_sum=state.value_sum + weight * event.value,
        value_expected=state.value_expected + known * event.expected,
        value_expected_weight=state.value_expected_weight + known,
    )


def reliability(event: LearnEvent, spread: float) -> float:
    """How much of a run one valued run counts as: (s e)^2 / ((s e)^2 + noise^2), 1 if exact.

    `s` (`LearnConfig.value_spread`) says how far off a candidate's own estimate e may be. A
    lift measured against a handful of held-out customers can swing by thirty times e; it then
    counts as about a hundredth of a run.
    """
    if event.noise <= 0 or event.expected <= 0:
        return 1.0
    scale = spread * event.expected
    return scale * scale / (scale * scale + float(event.noise) ** 2)


def posterior(state: ArmState, stage: str, config: LearnConfig) -> Prior:
    """The stage's Beta parameters: prior plus discounted evidence."""
    prior = config.approval_prior if stage == APPROVE else config.success_prior_for(state.arm)
    return prior[0] + getattr(state, f"{stage}_yes"), prior[1] + getattr(state, f"{stage}_no")


def rate(state: ArmState, stage: str, config: LearnConfig) -> float:
    """The stage's posterior mean."""
    yes, no = posterior(state, stage, config)
    return yes / (yes + no)


def mean_value(state: ArmState, prior: float | None, config: LearnConfig) -> float | None:
    """Expected value of a succeeded run of a candidate expected to earn `prior` (minor units).

    The candidate's own estimate, corrected by how the arm's valued runs compared with what
    they were expected to earn: prior x (w prior + measured) / (w prior + expected), with the
    prior worth `value_prior_weight` runs. A run valued without a known expectation counts as
    expected to earn `prior`, which makes this the plain mean of the runs' values. Runs still
    being measured do not count. Without a prior: the mean of the runs' values, or None.
    """
    if prior is None:
        if state.value_sum <= 0 or state.value_weight <= 0:
            return None
        return state.value_sum / state.value_weight
    weight = config.value_prior_weight
    unknown = max(0.0, state.value_weight - state.value_expected_weight)
    expected = weight * prior + state.value_expected + prior * unknown
    if expected <= 0:  # a prior of 0 and nothing expected of the runs: their plain mean
        return (prior * weight + state.value_sum) / (weight + state.value_weight)
    return prior * (weight * prior + state.value_sum) / expected


def sample(state: ArmState, rng: random.Random, config: LearnConfig) -> float:
    """One Thompson draw of P(approved) x P(succeeded | executed).

    Evidence counts `sharpness` times (less exploration among known arms); the prior counts
    once, so an arm whose evidence has been forgotten is explored like a new one.
    """
    return _draw(state, APPROVE, rng, config) * _draw(state, SUCCESS, rng, config)


def _draw(state: ArmState, stage: str, rng: random.Random, config: LearnConfig) -> float:
    c = config.sharpness
    prior = config.approval_prior if stage == APPROVE else config.success_prior_for(state.arm)
    yes, no = getattr(state, f"{stage}_yes"), getattr(state, f"{stage}_no")
    return rng.betavariate(prior[0] + c * yes, prior[1] + c * no)


def expected(state: ArmState, config: LearnConfig) -> float:
    """Posterior mean of P(approved) x P(succeeded | executed)."""
    return rate(state, APPROVE, config) * rate(state, SUCCESS, config)
