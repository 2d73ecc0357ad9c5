"""`income demo`: the demo shop on a simulated clock, an hour per cycle, reports in the terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot import terminal
from bot.bootstrap import DEMO_HISTORY_DAYS, Runtime
from bot.closed_loop import run_closed_loop
from bot.execution_terminal import TerminalNotifier, worker_for
from engine.clock import HOUR, floor_hour, utc_now
from engine.cycle import run_cycle
from engine.demo import DemoNotStartedError
from engine.store import clear_business_data

ProgressCallback = Callable[[int, int], None]


@contextmanager
def day_progress(console: Console, label: str) -> Iterator[ProgressCallback]:
    """A progress bar fed with (days done, days total)."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def seed_demo(
    runtime: Runtime, console: Console, *, scenario: str | None, seed: int | None, days: int
) -> None:
    """Start a new demo shop with `days` of history ending now."""
    state = runtime.shop.state()
    scenario = scenario or (state.scenario if state else runtime.settings.demo_scenario)
    seed = seed if seed is not None else (state.seed if state else runtime.settings.demo_seed)
    clear_business_data(runtime.database)
    with day_progress(console, f"Seeding {days} days ({scenario}, seed {seed})") as progress:
        runtime.shop.start(
            scenario=scenario, seed=seed, end=floor_hour(utc_now()), days=days, progress=progress
        )
    console.print(f"Demo shop ready: {days} days of history, scenario {scenario}, seed {seed}.")


def _has_cycled(runtime: Runtime) -> bool:
    with runtime.database.uow() as uow:
        return uow.snapshots.latest() is not None


def run_demo(
    runtime: Runtime,
    console: Console,
    *,
    scenario: str | None,
    seed: int | None,
    hours: int,
    fresh: bool,
    auto_decide: bool = False,
    chart: Path | None = None,
) -> None:
    """Run `hours` cycles, an hour of simulated time apart, printing each report.

    With `auto_decide` a simulated owner decides every proposal (`bot.closed_loop`).
    """
    state = runtime.shop.state()
    wanted_scenario = scenario or (state.scenario if state else runtime.settings.demo_scenario)
    wanted_seed = (
        seed if seed is not None else (state.seed if state else runtime.settings.demo_seed)
    )
    if fresh or state is None or (state.scenario, state.seed) != (wanted_scenario, wanted_seed):
        seed_demo(
            runtime, console, scenario=wanted_scenario, seed=wanted_seed, days=DEMO_HISTORY_DAYS
        )
    elif _has_cycled(runtime):
        console.print(
            f"Continuing the demo shop ({state.scenario}, seed {state.seed}) "
            f"from {terminal.when(state.clock + HOUR, runtime.settings.timezone)}."
        )
    current = runtime.shop.state()
    if current is None:
        raise DemoNotStartedError("the demo shop has not been started")
    start = current.clock + HOUR if _has_cycled(runtime) else current.clock
    if auto_decide:
        run_closed_loop(runtime, console, start=start, hours=hours, chart=chart)
        return
    zone = runtime.settings.timezone
    worker = worker_for(runtime, TerminalNotifier(console, zone))
    for hour in range(hours):
        now = start + hour * HOUR
        report = run_cycle(
            runtime.config, runtime.ports, now=now, slot=f"demo:{now:%Y-%m-%dT%H}", trigger="demo"
        )
        worker.run_once(now)  # what was approved since the last hour runs on the demo clock
        worker.measure_due(now)  # the notifier prints each lift as its window closes
        if hour == 0 or report.needs_attention:
            console.print(terminal.report_renderable(report, zone))
        else:
            console.print(terminal.quiet_line(report, zone))
