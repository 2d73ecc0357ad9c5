"""Learn: two-stage Thompson sampling with forgetting and change detection (pure; no I/O).

An arm is `Candidate.arm` ("<issue kind or income>/<action kind>/<variant>"). Each arm holds
two Beta posteriors and a value model (`engine.learning.posterior`):

- P(approved), updated at once from decisions: an approval is a yes; a rejection is a no
  weighted by its reason (not now / wrong targets 0.5, other 1, never 1.5 and the arm is
  switched off until an ENABLED event); an expiry is a weak no (0.25: nobody may have looked).
- P(succeeded | executed), updated when outcomes land. An approved run without an outcome is
  pending: unknown, never a failure.
- Value per succeeded run (minor units): the candidate's own expected value, corrected by how
  the arm's valued runs compared with theirs: value x (2 value + measured) / (2 value +
  expected), so the estimate counts as two runs and a small candidate is not valued by big
  runs. A run is valued by a SUCCEEDED event with a value (known at the outcome), or by a later
  VALUE event (measured, e.g. lift over a held-out group, which may be negative) for a run
  that succeeded without one; either may carry what the run was expected to earn (else it
  counts as expected to earn what the ranked candidate is, which makes the estimate the plain
  mean of the runs' values) and its standard error: a run counts (3e)^2 / ((3e)^2 + se^2) of a
  run (3: `LearnConfig.value_spread`), so a lift far noisier than what was expected (e) of it
  moves the estimate little. A run still being measured is unknown, not worth 0.

Evidence is forgotten with a half-life (`LearnConfig.half_life_hours`), so arms not tried for a
while are explored again (hidden drift). A CUSUM detector per stage resets an arm to its recent
window when its results fall far below its posterior (revealed drift). Priors are informative
(`LearnConfig`, per arm prefix). State is a fold of the event log: folding it in one go equals
folding it in pieces, so it is rebuilt identically from the store.

Public API (also what `bench.learner` drives; `Policy` is for any outside simulator):

- ``Policy(arms, *, values=None, config=DEFAULT_CONFIG)`` — a policy over a list of arms,
  with optional expected values per arm (minor units). Observe with ``approved(arm, at)``,
  ``rejected(arm, at, reason)``, ``expired(arm, at)``, ``succeeded(arm, at, value=0,
  expected=0)``, ``failed(arm, at)``, ``valued(arm, at, value, expected=0, noise=0)``,
  ``enabled(arm, at)`` or
  ``observe(LearnEvent)``; ask ``rank(at, rng) -> [(arm, score)]`` (best first) or
  ``choose(at, rng) -> arm``. ``states`` holds the `ArmState`s.
- ``fold(arms, events, config=DEFAULT_CONFIG) -> dict[str, ArmState]`` — arm states after the
  events, in time order; the input is left alone, new arms come last.
- ``rank(candidates, arms, rng, *, currency=None, now=None, config=DEFAULT_CONFIG)`` — per
  candidate one draw of P(approved) x P(succeeded) times its mean value (evidence counts
  `config.sharpness` times in a draw, the prior once; `now` forgets up to now); best first,
  disabled arms left out, ties at random. A candidate without any value information is valued
  like the best-valued candidate, so it competes on its probabilities. Each `Ranked` carries
  `explain`'s reason; a money-touching candidate whose expected value exceeds
  `config.explore_money_limit` and that is chosen by exploration (its arm has fewer than
  `min_decisions` decisions, or a better arm by posterior mean is ranked below it) says
  "exploratory, touches money on little evidence: ..." first.
- ``select(ranked, limit, pending_target_keys, *, advice_limit=None)`` — this cycle's
  proposals: at most `limit` runnable ones (INCOME_MAX_PROPOSALS) and at most `advice_limit`
  (default `limit`) advice-only ones; one per arm; none whose target key is pending.
- ``explain(arm_state, currency) -> str`` — e.g. "approved 12 of 15, 9 of 11 runs succeeded,
  recovered $42.00 per run on average, 3 runs pending".
- ``config_key(config) -> str`` — a fingerprint of a `LearnConfig`; the store keeps it with
  the folded states, and states folded under another key are folded again from the log.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from engine.learning.config import DEFAULT_CONFIG, LearnConfig, config_key
from engine.learning.explain import explain
from engine.learning.policy import Policy
from engine.learning.posterior import apply, discount, expected, mean_value, sample
from engine.model import ArmState, Candidate, LearnEvent, Ranked

__all__ = [
    "DEFAULT_CONFIG",
    "LearnConfig",
    "Policy",
    "config_key",
    "explain",
    "fold",
    "rank",
    "select",
]


def fold(
    arms: Mapping[str, ArmState],
    events: Iterable[LearnEvent],
    config: LearnConfig = DEFAULT_CONFIG,
) -> dict[str, ArmState]:
    """Arm states after the events; the input is left untouched, new arms come last."""
    folded = dict(arms)
    for event in events:
        state = folded.get(event.arm) or ArmState(event.arm)
        folded[event.arm] = apply(state, event, config)
    return folded


def rank(
    candidates: Sequence[Candidate],
    arms: Mapping[str, ArmState],
    rng: random.Random,
    *,
    currency: str | None = None,
    now: datetime | None = None,
    config: LearnConfig = DEFAULT_CONFIG,
) -> list[Ranked]:
    """Thompson-sample every candidate of an enabled arm; best first, each with its reason."""
    states: list[tuple[Candidate, ArmState, float | None]] = []
    for candidate in candidates:
        state = arms.get(candidate.arm) or ArmState(candidate.arm)
        if state.disabled:
            continue
        state = discount(state, now, config) if now is not None else state
        states.append((candidate, state, mean_value(state, _prior(candidate), config)))
    known = [value for _, _, value in states if value is not None]
    fallback = max(known, default=1.0)
    draws: list[tuple[float, float, float, Candidate, ArmState]] = []
    for candidate, state, value in states:
        worth = fallback if value is None else value
        score = sample(state, rng, config) * worth
        draws.append((score, rng.random(), expected(state, config) * worth, candidate, state))
    draws.sort(key=lambda draw: (draw[0], draw[1]), reverse=True)
    ranked: list[Ranked] = []
    best_below = 0.0
    for score, _, mean, candidate, state in reversed(draws):
        reason = explain(state, _currency(candidate) or currency)
        if _exploratory(candidate, state, mean < best_below, config):
            reason = f"{EXPLORATORY}{reason}"
        ranked.append(Ranked(candidate=candidate, score=score, reason=reason))
        best_below = max(best_below, mean)
    return ranked[::-1]


EXPLORATORY = "exploratory, touches money on little evidence: "


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


def _exploratory(
    candidate: Candidate, state: ArmState, outranks_better: bool, config: LearnConfig
) -> bool:
    """True for a risky money-touching candidate that only exploration puts here."""
    value = candidate.expected_value
    if not candidate.money_touching or value is None or value.amount <= config.explore_money_limit:
        return False
    decided = state.approved + state.rejected + state.expired
    return outranks_better or decided < config.min_decisions


def _prior(candidate: Candidate) -> float | None:
    value = candidate.expected_value
    return float(value.amount) if value is not None else None


def _currency(candidate: Candidate) -> str | None:
    value = candidate.expected_value
    return value.currency if value is not None else None
