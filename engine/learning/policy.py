"""A mutable policy over a fixed list of arms, for simulators and the benchmark (no I/O)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import datetime

from engine.learning.config import DEFAULT_CONFIG, LearnConfig
from engine.learning.posterior import apply, discount, mean_value, sample
from engine.model import ArmState, LearnEvent, LearnEventKind, RejectReason


class Policy:
    """Two-stage Thompson sampling over `arms`; feed it events, ask it for a ranking."""

    def __init__(
        self,
        arms: Iterable[str],
        *,
        values: Mapping[str, int] | None = None,
        config: LearnConfig = DEFAULT_CONFIG,
        states: Mapping[str, ArmState] | None = None,
    ) -> None:
        self.config = config
        self.values = dict(values or {})
        self.states = {arm: ArmState(arm) for arm in arms}
        self.states.update(states or {})

    def observe(self, event: LearnEvent) -> None:
        """Fold one decision or outcome into its arm (a new arm joins the policy)."""
        state = self.states.get(event.arm) or ArmState(event.arm)
        self.states[event.arm] = apply(state, event, self.config)

    def approved(self, arm: str, at: datetime) -> None:
        """A person approved a proposal of `arm`."""
        self.observe(LearnEvent(arm, LearnEventKind.APPROVED, at))

    def rejected(self, arm: str, at: datetime, reason: RejectReason | None = None) -> None:
        """A person rejected a proposal of `arm`, with a reason from the short list."""
        self.observe(LearnEvent(arm, LearnEventKind.REJECTED, at, reason=reason))

    def expired(self, arm: str, at: datetime) -> None:
        """A proposal of `arm` expired without a decision."""
        self.observe(LearnEvent(arm, LearnEventKind.EXPIRED, at))

    def succeeded(self, arm: str, at: datetime, value: int = 0, expected: int = 0) -> None:
        """A run of `arm` succeeded, earning `value` minor units (0: not known at the outcome)."""
        event = LearnEvent(arm, LearnEventKind.SUCCEEDED, at, value=value, expected=expected)
        self.observe(event)

    def failed(self, arm: str, at: datetime) -> None:
        """A run of `arm` failed."""
        self.observe(LearnEvent(arm, LearnEventKind.FAILED, at))

    def valued(self, arm: str, at: datetime, value: int, expected: int = 0, noise: int = 0) -> None:
        """The measured value of one run of `arm` that succeeded without a value (e.g. its lift).

        `expected`: what that run was expected to earn when proposed (0: unknown); `noise`: the
        measurement's standard error (0: exact), which weighs it against `expected`.
        """
        event = LearnEvent(
            arm, LearnEventKind.VALUE, at, value=value, expected=expected, noise=noise
        )
        self.observe(event)

    def enabled(self, arm: str, at: datetime) -> None:
        """A person switched `arm` back on after "never do this"."""
        self.observe(LearnEvent(arm, LearnEventKind.ENABLED, at))

    def rank(self, at: datetime, rng: random.Random) -> list[tuple[str, float]]:
        """Enabled arms with one Thompson draw of expected reward each, best first."""
        scored: list[tuple[float, float, str]] = []
        for arm, state in self.states.items():
            if state.disabled:
                continue
            now = discount(state, at, self.config)
            value = mean_value(now, self.values.get(arm), self.config)
            score = sample(now, rng, self.config) * (1.0 if value is None else value)
            scored.append((score, rng.random(), arm))
        scored.sort(reverse=True)
        return [(arm, score) for score, _, arm in scored]

    def choose(self, at: datetime, rng: random.Random) -> str | None:
        """The arm to propose now; None when every arm is switched off."""
        ranked = self.rank(at, rng)
        return ranked[0][0] if ranked else None
