"""The benchmark's simulated shop: known true rates and values, common random numbers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bench.learners import UNIT, Learner
from engine.model import LearnEvent, LearnEventKind, RejectReason

T0 = datetime(2026, 1, 1, tzinfo=UTC)
K = 6
ARMS = tuple(f"bench/arm/{n}" for n in range(K))
EXPIRE_SHARE = 0.2  # of proposals not approved, the share that expire instead of a rejection
REASONS = (RejectReason.NOT_NOW, RejectReason.WRONG_TARGETS, RejectReason.OTHER)
EASY = (0.30, 0.25, 0.20, 0.15, 0.10, 0.05)
_DELAY_STREAM = 1


@dataclass(frozen=True, slots=True)
class Scenario:
    """True approval and success rates and values per arm; changes as (cycle, arm, success)."""

    approve: tuple[float, ...] = (0.8,) * K
    success: tuple[float, ...] = EASY
    value: tuple[float, ...] = (1.0,) * K
    delay_mean: float = 0.0
    changes: tuple[tuple[int, int, float], ...] = ()


SCENARIOS = {
    "easy": Scenario(),
    "low": Scenario(success=(0.12, 0.106, 0.092, 0.078, 0.064, 0.05)),
    "delay": Scenario(delay_mean=24.0),
    "revealed_drift": Scenario(changes=((333, 0, 0.12), (666, 1, 0.08))),
    "hidden_drift": Scenario(changes=((500, 5, 0.40),)),
    "two_stage": Scenario(
        approve=(0.95, 0.90, 0.75, 0.55, 0.35, 0.25),
        success=(0.10, 0.14, 0.20, 0.32, 0.45, 0.50),
        value=(1.0, 1.0, 1.0, 1.0, 1.2, 1.0),
    ),
}


@dataclass(frozen=True, slots=True)
class World:
    """One seed of one scenario: the truth per cycle and the random numbers every learner shares."""

    reward: np.ndarray  # [cycle, arm] expected reward a x s x v
    approve: np.ndarray  # [cycle, arm] approved if draw < truth
    success: np.ndarray
    reason: np.ndarray  # [cycle, arm] uniform: expiry or which reject reason
    delay: np.ndarray  # [cycle, arm] cycles until the outcome lands
    value: np.ndarray  # [cycle, arm] minor units a success earns

    @property
    def best(self) -> np.ndarray:
        """The best arm's expected reward per cycle."""
        return np.asarray(self.reward.max(axis=1))


def world(scenario: Scenario, seed: int, cycles: int) -> World:
    """The truth and the common random numbers of `seed`."""
    rng = np.random.default_rng(seed)
    success = np.tile(np.asarray(scenario.success), (cycles, 1))
    for cycle, arm, rate in scenario.changes:
        success[cycle:, arm] = rate
    approve = np.tile(np.asarray(scenario.approve), (cycles, 1))
    value = np.tile(np.asarray(scenario.value), (cycles, 1))
    shape = (cycles, K)
    delay = (  # its own stream: `delay` sees the same approvals and successes as `easy`
        np.random.default_rng([seed, _DELAY_STREAM]).geometric(1 / scenario.delay_mean, shape)
        if scenario.delay_mean
        else np.zeros(shape, dtype=np.int64)
    )
    noise = rng.lognormal(-0.045, 0.3, shape)
    return World(
        reward=approve * success * value,
        approve=rng.random(shape) < approve,
        success=rng.random(shape) < success,
        reason=rng.random(shape),
        delay=delay,
        value=np.maximum(1, np.rint(value * UNIT * noise)).astype(np.int64),
    )


def simulate(env: World, learner: Learner) -> tuple[np.ndarray, float]:
    """Regret per cycle and the share of cycles the best arm was chosen."""
    cycles = env.reward.shape[0]
    index = {arm: n for n, arm in enumerate(ARMS)}
    best = env.best
    regret = np.zeros(cycles)
    optimal = 0
    due: defaultdict[int, list[LearnEvent]] = defaultdict(list)
    for t in range(cycles):
        at = T0 + timedelta(hours=t)
        for event in due.pop(t, ()):
            learner.observe(event)
        arm = learner.choose(at)
        n = index[arm]
        regret[t] = best[t] - env.reward[t, n]
        optimal += bool(regret[t] <= 1e-12)
        for lag, event in _events(env, t, n, arm, at):
            if lag:
                due[t + lag].append(event)
            else:
                learner.observe(event)
    return regret, optimal / cycles


def _events(env: World, t: int, n: int, arm: str, at: datetime) -> list[tuple[int, LearnEvent]]:
    if not env.approve[t, n]:
        draw = float(env.reason[t, n])
        if draw < EXPIRE_SHARE:
            return [(0, LearnEvent(arm, LearnEventKind.EXPIRED, at))]
        reason = REASONS[int((draw - EXPIRE_SHARE) / (1 - EXPIRE_SHARE) * len(REASONS))]
        return [(0, LearnEvent(arm, LearnEventKind.REJECTED, at, reason=reason))]
    lag = int(env.delay[t, n])
    landed = at + timedelta(hours=lag)
    outcome = (
        LearnEvent(arm, LearnEventKind.SUCCEEDED, landed, value=int(env.value[t, n]))
        if env.success[t, n]
        else LearnEvent(arm, LearnEventKind.FAILED, landed)
    )
    return [(0, LearnEvent(arm, LearnEventKind.APPROVED, at)), (lag, outcome)]
