"""One-line reasons a proposal was chosen, true to the arm's plain counts (pure)."""

from __future__ import annotations

from fractions import Fraction

from engine.model import ArmState
from engine.money import Money


def explain(arm_state: ArmState, currency: str | None) -> str:
    """Why an arm is proposed, e.g. 'approved 12 of 15, recovered $42.00 per run on average'."""
    state = arm_state
    if state.disabled:
        return "switched off: a reviewer chose never do this"
    decided = state.approved + state.rejected + state.expired
    runs = state.succeeded + state.failed
    if decided == 0 and runs == 0:
        return "new: no history yet"
    if state.approved == 0 and runs == 0:
        return _never_approved(state)
    parts: list[str] = []
    if decided:
        parts.append(f"approved {state.approved} of {decided}")
    if runs:
        parts.append(f"{state.succeeded} of {_count(runs, 'run')} succeeded")
    average = _average_value(state, currency)
    if average is not None:
        verb = "earned" if state.arm.startswith("income/") else "recovered"
        parts.append(f"{verb} {average.format()} per run on average")
    if state.pending:
        parts.append(f"{_count(state.pending, 'run')} pending")
    elif runs == 0:
        parts.append("no results yet")
    return ", ".join(parts)


def _never_approved(state: ArmState) -> str:
    parts: list[str] = []
    if state.rejected:
        parts.append(f"rejected {_times(state.rejected)}")
    if state.expired:
        parts.append(f"expired {_times(state.expired)} without a decision")
    parts.append("shown again to explore")
    return ", ".join(parts)


def _average_value(state: ArmState, currency: str | None) -> Money | None:
    # Over the runs whose value is known, and the failed ones (which earned nothing): a run
    # whose lift is still being measured is left out rather than counted as nothing.
    if currency is None or state.valued == 0 or state.value_total == 0:
        return None
    return Money(round(Fraction(state.value_total, state.valued + state.failed)), currency)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
