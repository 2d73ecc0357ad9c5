"""The closed loop's outcome per arm: what the learner chose, what happened, what was true.

"Truly best" is the runnable arm with the highest true expected value per proposal, from the
demo shop's hidden truth: P(approved) x response rate x value of a response x targets sent
(`engine.demo.worth`). Convergence shows as the share of runnable proposals going to it in the
first against the last `window` hours: 100, or half the run when it is shorter than 200 hours.

A proposal's worth depends on whom it can still reach, so the best arm of the run is not the
best choice every hour. Each hour's `Choice` compares what the learner chose with the best
and the average of the runnable candidates it chose among; `captured` sums those per window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.auto_decide import Decided
from engine.demo.decider import Verdict
from engine.model import LearnEvent, LearnEventKind
from engine.money import Money
from engine.ports import DecisionOutcome

WINDOW_HOURS = 100


@dataclass(frozen=True, slots=True)
class Choice:
    """One hour's runnable proposals against the candidates there were, in true worth."""

    at: datetime
    chosen: float  # the chosen candidates' true worth, minor units
    best: float  # the same number of the best candidates'
    average: float  # the same number of candidates picked at random, in expectation


def captured(choices: Sequence[Choice], since: datetime, until: datetime) -> tuple[float, float]:
    """Share of the best candidates' worth the learner's choices and random ones had."""
    inside = [c for c in choices if since <= c.at < until]
    best = sum(c.best for c in inside)
    if best <= 0:
        return 0.0, 0.0
    return sum(c.chosen for c in inside) / best, sum(c.average for c in inside) / best


def hour_choice(at: datetime, worths: Sequence[float], chosen: Sequence[int]) -> Choice | None:
    """The hour's Choice from every candidate's worth and the indexes of the chosen ones."""
    if not worths or not chosen:
        return None
    top = sorted(worths, reverse=True)[: len(chosen)]
    mean = sum(worths) / len(worths)
    return Choice(at, sum(worths[i] for i in chosen), sum(top), mean * len(chosen))


@dataclass(frozen=True, slots=True)
class ArmSummary:
    """One arm over the run: counts, the hidden truth, and its share early and late."""

    arm: str
    runnable: bool
    proposals: int
    approved: int
    rejected: int
    ignored: int
    succeeded: int
    measured: int  # incremental revenue measured against the control, minor units
    p_approved: float  # hidden truth
    true_value: float  # hidden truth: mean expected value per proposal, minor units
    first_share: float  # of the runnable proposals in the first window
    last_share: float  # of the runnable proposals in the last window


@dataclass(frozen=True, slots=True)
class LoopSummary:
    """Every arm, the truly best runnable arm(s) and the window the shares are taken over."""

    arms: tuple[ArmSummary, ...]
    best: tuple[str, ...]
    window_hours: int
    free_shares: tuple[float, float] = (0.0, 0.0)  # first, last: hours the best was proposable
    captured: tuple[float, float] = (0.0, 0.0)  # first, last: of the best candidates' worth
    at_random: tuple[float, float] = (0.0, 0.0)  # the same, choosing at random

    def share_to_best(self, *, last: bool) -> float:
        """The share of runnable proposals going to the truly best arm(s), first or last window."""
        return sum(a.last_share if last else a.first_share for a in self.arms if a.arm in self.best)


def summarize(
    decided: Sequence[Decided],
    events: Sequence[LearnEvent],
    start: datetime,
    end: datetime,
    *,
    window_hours: int | None = None,
    ttl: timedelta = timedelta(hours=24),
    choices: Sequence[Choice] = (),
) -> LoopSummary:
    """Summarize a run over [start, end) from its decisions and the learner's event log."""
    if window_hours is None:
        window_hours = compare_window(start, end)
    window = timedelta(hours=window_hours)
    first = _shares([d for d in decided if d.runnable and d.at < start + window])
    last = _shares([d for d in decided if d.runnable and d.at >= end - window])
    succeeded = Counter(e.arm for e in events if e.kind is LearnEventKind.SUCCEEDED)
    measured: Counter[str] = Counter()
    for event in events:
        if event.kind is LearnEventKind.VALUE:
            measured[event.arm] += event.value
    arms = []
    for arm in sorted({d.arm for d in decided}):
        mine = [d for d in decided if d.arm == arm]
        verdicts = Counter(d.decision.verdict for d in mine)
        arms.append(
            ArmSummary(
                arm=arm,
                runnable=mine[0].runnable,
                proposals=len(mine),
                approved=sum(1 for d in mine if d.outcome is DecisionOutcome.APPROVED),
                rejected=verdicts[Verdict.REJECT],
                ignored=verdicts[Verdict.IGNORE],
                succeeded=succeeded[arm],
                measured=measured[arm],
                p_approved=mine[0].worth.p_approved,
                true_value=sum(d.worth.expected_value for d in mine) / len(mine),
                first_share=first.get(arm, 0.0),
                last_share=last.get(arm, 0.0),
            )
        )
    best = best_arms(arms)
    free = _free(decided, best, ttl)
    shares = (
        _share_of(free, best, start, start + window),
        _share_of(free, best, end - window, end),
    )
    early = captured(choices, start, start + window)
    late = captured(choices, end - window, end)
    return LoopSummary(
        tuple(arms),
        best,
        window_hours,
        shares,
        captured=(early[0], late[0]),
        at_random=(early[1], late[1]),
    )


def compare_window(start: datetime, end: datetime) -> int:
    """Hours compared at each end of a run: 100, or half a shorter run (at least 1)."""
    half = int((end - start).total_seconds() // 3600) // 2
    return max(1, min(WINDOW_HOURS, half))


def best_arms(arms: Sequence[ArmSummary]) -> tuple[str, ...]:
    """The runnable arm(s) with the highest true expected value per proposal."""
    runnable = [a for a in arms if a.runnable]
    if not runnable:
        return ()
    top = max(a.true_value for a in runnable)
    return tuple(a.arm for a in runnable if a.true_value >= top - 1e-9)


def _free(decided: Sequence[Decided], best: Sequence[str], ttl: timedelta) -> list[Decided]:
    """Runnable proposals made while no ignored proposal of the best arms' family blocked them.

    A proposal left pending blocks its family (issue context and action kind) until it expires:
    in those hours the learner could not propose the best arm whatever it believed.
    """
    families = {arm.rsplit("/", 1)[0] for arm in best}
    blocked = [
        (d.at, d.at + ttl)
        for d in decided
        if d.decision.verdict is Verdict.IGNORE and d.arm.rsplit("/", 1)[0] in families
    ]
    return [d for d in decided if d.runnable and not any(a < d.at < b for a, b in blocked)]


def _share_of(
    decided: Sequence[Decided], best: Sequence[str], since: datetime, until: datetime
) -> float:
    inside = [d for d in decided if since <= d.at < until]
    return sum(1 for d in inside if d.arm in best) / len(inside) if inside else 0.0


def _shares(decided: Sequence[Decided]) -> dict[str, float]:
    counts = Counter(d.arm for d in decided)
    total = sum(counts.values())
    return {arm: n / total for arm, n in counts.items()} if total else {}


def summary_renderable(summary: LoopSummary, currency: str) -> RenderableType:
    """The per-arm table, its legend and the convergence line for the terminal (fits 80 columns)."""
    window = summary.window_hours
    table = Table(
        title="Closed loop per arm",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=0,  # the box puts one space between columns: the arm names fit 80 columns
    )
    # the one column that wraps on a narrow terminal, never to a sliver
    table.add_column("arm", overflow="fold", min_width=20)
    for name in ("prop.", "ok", "no", "exp.", "won", "lift", "P(ok)", "worth"):
        table.add_column(name, justify="right", no_wrap=True)
    for arm in sorted(summary.arms, key=lambda a: (not a.runnable, -a.true_value)):
        best = " *" if arm.arm in summary.best else ""
        advice = "" if arm.runnable else " (advice)"
        table.add_row(
            f"{arm.arm.removeprefix('income/')}{advice}{best}",
            str(arm.proposals),
            str(arm.approved),
            str(arm.rejected),
            str(arm.ignored),
            str(arm.succeeded),
            Money(arm.measured, currency).format(),
            f"{arm.p_approved:.0%}",
            Money(round(arm.true_value), currency).format(),
        )
    legend = Text(
        "prop. proposed, ok approved, no rejected, exp. left to expire, won succeeded, lift "
        "measured against the control; P(ok) and worth (value per proposal) are the shop's "
        "hidden truth; * truly best.",
        style="dim",
    )
    line = Text(
        f"Truly best (*): {', '.join(summary.best) or 'none'}. Share of runnable proposals to it: "
        f"first {window} h {summary.share_to_best(last=False):.0%}, "
        f"last {window} h {summary.share_to_best(last=True):.0%}; in the hours it could be "
        f"proposed (no ignored proposal of its kind pending): first {summary.free_shares[0]:.0%}, "
        f"last {summary.free_shares[1]:.0%}."
    )
    (first, last), (random_first, random_last) = summary.captured, summary.at_random
    worth = Text(
        f"Each hour's choice against the best candidate that hour: {first:.0%} of its true "
        f"worth in the first {window} h, {last:.0%} in the last {window} h (choosing at "
        f"random: {random_first:.0%}, {random_last:.0%})."
    )
    return Group(table, legend, line, worth)
