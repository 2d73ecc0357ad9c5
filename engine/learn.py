"""Learn: a Beta-Bernoulli Thompson sampler over arms (pure; chance only from a passed Random).

An arm is `Candidate.arm` ("<issue kind or income>/<action kind>/<variant>"). Each arm holds a
Beta(alpha, beta) belief that proposing it ends well, starting from Beta(1, 1). The public API,
enough for the hourly cycle or any simulator to drive the learner:

- ``fold(arms, events) -> dict[str, ArmState]`` — fold decisions and outcomes, in time order:

  ========== ===================================================================
  APPROVED   approved += 1; no reward yet (a pending outcome is not a failure)
  SUCCEEDED  alpha += 1, succeeded += 1, value_total += value
  FAILED     beta += 1, failed += 1
  REJECTED   beta += 1, rejected += 1; reason NEVER also sets disabled
  EXPIRED    beta += 0.5, expired += 1 (weaker than a rejection: nobody looked)
  ========== ===================================================================

  Unknown arms start from ``ArmState(arm)``. Folding is a plain sum, so folding a log in one go
  equals folding it in any number of consecutive pieces.
- ``rank(candidates, arms, rng, *, currency=None) -> list[Ranked]`` — draw θ ~ Beta(alpha, beta)
  per candidate (`rng.betavariate`); highest θ first, ties broken by expected value, then at
  random; disabled arms are left out. Each `Ranked` carries `explain`'s one-line reason, with
  money in the candidate's expected-value currency, else `currency`.
- ``select(ranked, limit, pending_target_keys, *, advice_limit=None) -> list[Ranked]`` — this
  cycle's proposals, in rank order: at most `limit` runnable ones (the Approve cards) and, under
  a budget of their own (`advice_limit`, default `limit`), at most that many advice-only ones
  (no executor), so advice never takes a runnable proposal's slot. Split the result on
  `candidate.runnable`. One per arm; none whose target key is pending.
- ``explain(arm_state, currency) -> str`` — why an arm is proposed, true to its counts.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

from engine.model import ArmState, Candidate, LearnEvent, LearnEventKind, Ranked, RejectReason
from engine.money import Money

EXPIRY_PENALTY = 0.5


def fold(arms: Mapping[str, ArmState], events: Iterable[LearnEvent]) -> dict[str, ArmState]:
    """Arm states after the events; the input is left untouched, new arms come last."""
    folded = dict(arms)
    for event in events:
        state = folded.get(event.arm) or ArmState(event.arm)
        folded[event.arm] = _apply(state, event)
    return folded


def _apply(state: ArmState, event: LearnEvent) -> ArmState:
    match event.kind:
        case LearnEventKind.APPROVED:
            return replace(state, approved=state.approved + 1)
        case LearnEventKind.SUCCEEDED:
            return replace(
                state,
                alpha=state.alpha + 1,
                succeeded=state.succeeded + 1,
                value_total=state.value_total + event.value,
            )
        case LearnEventKind.FAILED:
            return replace(state, beta=state.beta + 1, failed=state.failed + 1)
        case LearnEventKind.REJECTED:
            return replace(
                state,
                beta=state.beta + 1,
                rejected=state.rejected + 1,
                disabled=state.disabled or event.reason is RejectReason.NEVER,
            )
        case LearnEventKind.EXPIRED:
            return replace(state, beta=state.beta + EXPIRY_PENALTY, expired=state.expired + 1)


def rank(
    candidates: Sequence[Candidate],
    arms: Mapping[str, ArmState],
    rng: random.Random,
    *,
    currency: str | None = None,
) -> list[Ranked]:
    """Thompson-sample every candidate of an enabled arm; best first, each with its reason.

    Reasons format money in the candidate's expected-value currency, else in `currency`.
    """
    draws: list[tuple[tuple[float, bool, int, float], Candidate, ArmState]] = []
    for candidate in candidates:
        state = arms.get(candidate.arm) or ArmState(candidate.arm)
        if state.disabled:
            continue
        theta = rng.betavariate(state.alpha, state.beta)
        value = candidate.expected_value
        key = (theta, value is not None, 0 if value is None else value.amount, rng.random())
        draws.append((key, candidate, state))
    draws.sort(key=lambda draw: draw[0], reverse=True)
    return [
        Ranked(
            candidate=candidate,
            score=key[0],
            reason=explain(state, _currency(candidate) or currency),
        )
        for key, candidate, state in draws
    ]


def select(
    ranked: Sequence[Ranked],
    limit: int,
    pending_target_keys: Collection[str],
    *,
    advice_limit: int | None = None,
) -> list[Ranked]:
    """This cycle's proposals in rank order: runnable ones and advice, each under its own limit.

    At most `limit` runnable candidates and at most `advice_limit` (default `limit`) advice-only
    ones; at most one per arm; none whose target key is pending or already chosen.
    """
    budgets = {True: limit, False: limit if advice_limit is None else advice_limit}
    chosen: list[Ranked] = []
    arms: set[str] = set()
    taken = set(pending_target_keys)
    for item in ranked:
        candidate = item.candidate
        if budgets[candidate.runnable] <= 0 or candidate.arm in arms:
            continue
        if candidate.target_key in taken:
            continue
        chosen.append(item)
        budgets[candidate.runnable] -= 1
        arms.add(candidate.arm)
        taken.add(candidate.target_key)
    return chosen


def explain(arm_state: ArmState, currency: str | None) -> str:
    """One line on why the arm is proposed, e.g. 'Approved 12 of 15, 9 succeeded, ...'."""
    state = arm_state
    if state.disabled:
        return "Switched off: a reviewer chose never do this"
    decided = state.approved + state.rejected + state.expired
    outcomes = state.succeeded + state.failed
    if decided == 0 and outcomes == 0:
        return "New: no history yet, exploring"
    if state.approved == 0 and outcomes == 0:
        return _never_approved(state)
    parts: list[str] = []
    if decided:
        parts.append(f"Approved {state.approved} of {decided}")
    if outcomes == 0:
        parts.append("no results yet")
    if state.succeeded:
        parts.append(f"{state.succeeded} succeeded")
    if state.failed:
        parts.append(f"{state.failed} failed")
    average = _average_value(state, currency)
    if average is not None:
        verb = "earned" if state.arm.startswith("income/") else "recovered"
        parts.append(f"{average.format()} {verb} per success on average")
    return ", ".join(parts)


def _never_approved(state: ArmState) -> str:
    parts: list[str] = []
    if state.rejected:
        parts.append(f"Rejected {_times(state.rejected)}")
    if state.expired:
        verb = "expired" if parts else "Expired"
        parts.append(f"{verb} {_times(state.expired)} without a decision")
    parts.append("shown again to explore")
    return ", ".join(parts)


def _average_value(state: ArmState, currency: str | None) -> Money | None:
    if currency is None or state.succeeded == 0 or state.value_total == 0:
        return None
    return Money(round(Fraction(state.value_total, state.succeeded)), currency)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _currency(candidate: Candidate) -> str | None:
    value = candidate.expected_value
    return value.currency if value is not None else None
