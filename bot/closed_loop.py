"""`income demo --auto-decide`: cycle, decide, execute and measure each simulated hour.

Each hour the cycle proposes, the simulated owner (`bot.auto_decide`) decides what is pending,
the execution worker carries out what was approved (the demo shop receives the e-mails and
reacts) and measures the lifts whose windows closed. A progress bar replaces the hourly
reports; issues opening or resolving get one line. At the end: a per-arm summary against the
shop's hidden truth and, with `--chart`, the chart of what the learner chose over time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.auto_decide import AutoDecider, Decided
from bot.bootstrap import Runtime
from bot.loop_chart import write_chart
from bot.loop_summary import Choice, LoopSummary, hour_choice, summarize, summary_renderable
from bot.terminal import when
from engine.clock import HOUR
from engine.cycle import run_cycle
from engine.demo.decider import Verdict
from engine.execution_report import LogNotifier
from engine.model import CycleReport
from engine.worker import build_worker


@dataclass(frozen=True, slots=True)
class LoopRun:
    """What a closed-loop run did: every decision, and the summary against the truth."""

    start: datetime
    hours: int
    decided: tuple[Decided, ...]
    summary: LoopSummary
    choices: tuple[Choice, ...] = ()


AUTO_DECIDE_PROPOSALS = 1  # `income demo --auto-decide`'s default runnable proposals per cycle


def run_closed_loop(
    runtime: Runtime, console: Console, *, start: datetime, hours: int, chart: Path | None
) -> LoopRun:
    """Run `hours` auto-decided hours from `start`; print the summary, write the chart."""
    decider = AutoDecider(runtime)
    state = runtime.shop.state()
    runtime.ports.rng.seed(f"learner:{state.seed if state else 0}")  # reproducible per seed
    worker = build_worker(
        runtime.settings,
        runtime.database,
        runtime.shop,
        notifier=LogNotifier(),
        clock=runtime.decision_time,
    )
    limit = runtime.config.max_proposals
    plural = "s" if limit != 1 else ""
    console.print(
        f"Closed loop over {hours} hours: at most {limit} runnable proposal{plural} a cycle."
    )
    decided: list[Decided] = decider.decide_pending(start)  # else they block their kinds
    choices: list[Choice] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("Closed loop", total=hours)
        for hour in range(hours):
            now = start + hour * HOUR
            slot = f"demo:{now:%Y-%m-%dT%H}"
            report = run_cycle(runtime.config, runtime.ports, now=now, slot=slot, trigger="demo")
            new = decider.decide_new(report, now)
            decided += new
            choice = _choice(decider, report, new, now)
            choices += [choice] if choice else []
            worker.run_once(now)
            worker.measure_due(now)
            if report.opened or report.resolved:
                progress.console.print(issue_line(report, runtime.settings.timezone))
            progress.update(task, advance=1, description=progress_text(decided))
    with runtime.database.uow() as uow:
        events = [event for _, event in uow.learner.events_after(0)]
    end = start + hours * HOUR
    ttl = runtime.config.proposal_ttl
    summary = summarize(decided, events, start, end, ttl=ttl, choices=choices)
    console.print(summary_renderable(summary, runtime.shop.currency))
    if chart is not None:
        write_chart(chart, decided, summary, start, hours, choices=choices)
        console.print(f"Chart written to {chart}", soft_wrap=True)
    return LoopRun(start, hours, tuple(decided), summary, tuple(choices))


def _choice(
    decider: AutoDecider, report: CycleReport, new: Sequence[Decided], now: datetime
) -> Choice | None:
    """The hour's choice among the runnable candidates, in true worth (None: nothing chosen)."""
    arms = {d.arm for d in new if d.runnable}
    options = report.choices
    worths = [decider.worth_of(c, now).expected_value for c in options]
    return hour_choice(now, worths, [i for i, c in enumerate(options) if c.arm in arms])


def progress_text(decided: Sequence[Decided]) -> str:
    """The bar's label: decisions so far."""
    verdicts = Counter(d.decision.verdict for d in decided)
    return (
        f"Closed loop: {verdicts[Verdict.APPROVE]} approved, {verdicts[Verdict.REJECT]} "
        f"rejected, {verdicts[Verdict.IGNORE]} left to expire"
    )


def issue_line(report: CycleReport, zone: ZoneInfo) -> str:
    """One line for an hour in which issues opened or resolved."""
    opened = ", ".join(i.kind.value for i in report.opened)
    resolved = ", ".join(i.kind.value for i in report.resolved)
    parts = [f"opened {opened}" if opened else "", f"resolved {resolved}" if resolved else ""]
    stamp = when(report.ran_at, zone)
    return f"cycle {report.cycle_id} · {stamp} · " + " · ".join(p for p in parts if p)
