"""Ports of execution (design §3): what the worker hands an executor and what comes back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from engine.model import ActionKind, ActionState, Target, TargetState


@dataclass(frozen=True, slots=True)
class ExecutionJob:
    """What an executor needs to carry out one approved action, exactly as approved."""

    action_id: str
    kind: ActionKind
    variant: str
    subject: str
    body: str
    params: tuple[tuple[str, str], ...]
    at: datetime

    def param_map(self) -> dict[str, str]:
        """The parameters as a dict."""
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class TargetResult:
    """How one target went: sent, failed (with why) or unknown (in flight when it broke)."""

    target_key: str
    state: TargetState
    detail: str = ""
    bounced: bool = False  # the provider refused the address for good: suppress it


class Delivery(Protocol):
    """An open session of an executor for one action (e.g. one SMTP connection)."""

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        """Carry out the action for each target under its idempotency key, in order."""
        ...

    def close(self) -> None:
        """Release the session's connections."""
        ...


class Executor(Protocol):
    """What an approved action does in the world: SMTP, a webhook, a payment provider."""

    @property
    def idempotent(self) -> bool:
        """True when the provider honours our idempotency key, so a replay is safe."""
        ...

    def open(self, job: ExecutionJob) -> Delivery:
        """A session for one action."""
        ...


@dataclass(frozen=True, slots=True)
class ExecutionReport:
    """What one execution did, for the card, the terminal and the learner."""

    action_id: str
    kind: ActionKind
    state: ActionState
    counts: tuple[tuple[str, int], ...]  # per target state, e.g. (("sent", 41), ("held_out", 5))
    finished_at: datetime
    error: str | None = None

    def count(self, state: TargetState) -> int:
        """How many targets ended in `state`."""
        return dict(self.counts).get(state.value, 0)


class Notifier(Protocol):
    """Tells people how an execution went (the Slack card, the terminal)."""

    def execution_finished(self, report: ExecutionReport) -> None:
        """An execution reached a terminal state; `unknown` targets need a human."""
        ...

    def lift_measured(self, action_id: str, lift: str) -> None:
        """An executed action's lift against its held-out control was measured (one line)."""
        ...
