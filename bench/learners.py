"""The learners the benchmark compares, all driven through one API: choose(at), observe(event).

`Ours` wraps `engine.learn.Policy`; the baselines read the same `LearnEvent`s. Every baseline's
reward for a proposal is r = value / 100 when it was approved and its run succeeded, else 0
(with the benchmark's unit value of 100 minor units that is design §0's r = 1 or 0), counted
once: at the rejection or expiry, or when the run's outcome lands.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from engine.learn import DEFAULT_CONFIG, LearnConfig, Policy
from engine.model import LearnEvent, LearnEventKind

UNIT = 100  # minor units of value 1.0
_FINAL = (LearnEventKind.REJECTED, LearnEventKind.EXPIRED, LearnEventKind.FAILED)


class Learner(Protocol):
    """What the benchmark needs of a learner."""

    def choose(self, at: datetime) -> str:
        """The arm to propose at `at`."""

    def observe(self, event: LearnEvent) -> None:
        """A decision or outcome for an arm."""


class Ours:
    """Two-stage Thompson sampling (`engine.learn.Policy`), every arm valued 1.00 a priori."""

    def __init__(
        self, arms: Sequence[str], rng: random.Random, config: LearnConfig = DEFAULT_CONFIG
    ) -> None:
        self.policy = Policy(arms, values=dict.fromkeys(arms, UNIT), config=config)
        self.rng = rng

    def choose(self, at: datetime) -> str:
        arm = self.policy.choose(at, self.rng)
        if arm is None:
            raise RuntimeError("every arm is switched off")
        return arm

    def observe(self, event: LearnEvent) -> None:
        self.policy.observe(event)


class _RewardLearner(ABC):
    """Turns events into one reward per proposal; subclasses choose and update."""

    def __init__(self, arms: Sequence[str], rng: random.Random) -> None:
        self.arms = list(arms)
        self.rng = rng

    def observe(self, event: LearnEvent) -> None:
        if event.kind is LearnEventKind.SUCCEEDED:
            self.update(event.arm, event.value / UNIT)
        elif event.kind in _FINAL:
            self.update(event.arm, 0.0)

    @abstractmethod
    def update(self, arm: str, reward: float) -> None:
        """Take one final reward for `arm`."""

    def best(self, score: Callable[[str], float]) -> str:
        """The highest-scoring arm, ties at random."""
        scores = {arm: score(arm) for arm in self.arms}
        top = max(scores.values())
        return self.rng.choice([arm for arm, value in scores.items() if value == top])


class EmaGreedy(_RewardLearner):
    """Design §0: s <- (1 - a) s + a r with a = 0.1, r = 1 iff approved and succeeded."""

    def __init__(self, arms: Sequence[str], rng: random.Random, initial: float) -> None:
        super().__init__(arms, rng)
        self.scores = dict.fromkeys(arms, initial)

    def choose(self, _at: datetime) -> str:
        return self.best(self.scores.__getitem__)

    def update(self, arm: str, reward: float) -> None:
        r = 1.0 if reward > 0 else 0.0
        self.scores[arm] = 0.9 * self.scores[arm] + 0.1 * r


class _Averaging(_RewardLearner):
    def __init__(self, arms: Sequence[str], rng: random.Random) -> None:
        super().__init__(arms, rng)
        self.total = dict.fromkeys(arms, 0.0)
        self.count = dict.fromkeys(arms, 0)

    def update(self, arm: str, reward: float) -> None:
        self.total[arm] += reward
        self.count[arm] += 1

    def mean(self, arm: str) -> float:
        return self.total[arm] / self.count[arm] if self.count[arm] else math.inf


class EpsilonGreedy(_Averaging):
    """Sample means; a random arm with probability 0.1; untried arms first."""

    def choose(self, _at: datetime) -> str:
        if self.rng.random() < 0.1:
            return self.rng.choice(self.arms)
        return self.best(self.mean)


class Ucb1(_Averaging):
    """Sample mean plus sqrt(2 ln n / n_arm); untried arms first."""

    def choose(self, _at: datetime) -> str:
        n = sum(self.count.values())
        return self.best(
            lambda arm: (
                self.mean(arm) + math.sqrt(2 * math.log(max(n, 1)) / self.count[arm])
                if self.count[arm]
                else math.inf
            )
        )


class Uniform(_RewardLearner):
    """A uniformly random arm every cycle."""

    def choose(self, _at: datetime) -> str:
        return self.rng.choice(self.arms)

    def update(self, arm: str, reward: float) -> None:
        """Learns nothing."""
        del arm, reward


Factory = Callable[[Sequence[str], random.Random], Learner]
LEARNERS: dict[str, Factory] = {
    "ours": Ours,
    "ema_greedy_0.5": lambda arms, rng: EmaGreedy(arms, rng, 0.5),
    "ema_greedy_0": lambda arms, rng: EmaGreedy(arms, rng, 0.0),
    "epsilon_greedy": EpsilonGreedy,
    "ucb1": Ucb1,
    "random": Uniform,
}
