"""Benchmark: does the learner converge in the closed loop, over many demo-shop seeds?

Each seed runs `income demo --fresh --seed N --hours H --auto-decide` in-process, on a SQLite
file of its own: 28 days of history, then H hours in which a simulated owner decides every
proposal and the worker executes and measures. Per seed: the share of each hour's best
runnable candidate's true worth that the learner's choice captured, in the first and the last
window (`bot.loop_summary`), against a random pick among the same candidates.

    python -m bench.closed_loop --seeds 8 --hours 500 --chart docs/closed_loop.png
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from io import StringIO
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from rich.console import Console

from bot.bootstrap import DEMO_HISTORY_DAYS, build_runtime
from bot.closed_loop import AUTO_DECIDE_PROPOSALS, run_closed_loop
from bot.demo_runner import seed_demo
from bot.loop_chart import window_captured
from bot.loop_summary import WINDOW_HOURS
from engine.settings import load_settings


@dataclass(frozen=True, slots=True)
class SeedRun:
    """One seed's figures: captured worth early and late, at random, and per day."""

    seed: int
    captured: tuple[float, float]
    at_random: tuple[float, float]
    best_arm_share: tuple[float, float]
    per_day: tuple[float, ...]
    seconds: float


def run_seed(task: tuple[int, int, str]) -> SeedRun:
    """The closed loop of one seed on a fresh SQLite file in `folder`."""
    seed, hours, folder = task
    started = time.perf_counter()
    url = f"sqlite:///{Path(folder) / f'seed{seed}.db'}"
    settings = load_settings({"DATABASE_URL": url}, dotenv=None)
    runtime = build_runtime(settings)
    runtime = replace(runtime, config=replace(runtime.config, max_proposals=AUTO_DECIDE_PROPOSALS))
    console = Console(file=StringIO(), width=80)
    try:
        seed_demo(runtime, console, scenario="normal", seed=seed, days=DEMO_HISTORY_DAYS)
        state = runtime.shop.state()
        if state is None:
            raise RuntimeError(f"seed {seed}: the demo shop did not start")
        loop = run_closed_loop(runtime, console, start=state.clock, hours=hours, chart=None)
    finally:
        runtime.database.dispose()
    summary = loop.summary
    per_day = window_captured(loop.choices, loop.start, hours)
    return SeedRun(
        seed=seed,
        captured=summary.captured,
        at_random=summary.at_random,
        best_arm_share=(summary.share_to_best(last=False), summary.share_to_best(last=True)),
        per_day=tuple(float(x) for x in per_day),
        seconds=time.perf_counter() - started,
    )


def run(seeds: list[int], hours: int, workers: int) -> list[SeedRun]:
    """Every seed's run, in seed order, with progress on stderr."""
    runs: list[SeedRun] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tasks = [(seed, hours, folder) for seed in seeds]
        with Pool(workers) as pool:
            for done, result in enumerate(pool.imap_unordered(run_seed, tasks), 1):
                runs.append(result)
                elapsed = time.perf_counter() - started
                print(f"{done}/{len(tasks)} seeds, {elapsed:.0f} s", file=sys.stderr)
    return sorted(runs, key=lambda r: r.seed)


def mean_ci(values: list[float]) -> tuple[float, float]:
    """Mean and 95 % confidence half-width (normal approximation, 1.96 s / sqrt(n))."""
    array = np.array(values)
    spread = float(array.std(ddof=1)) if len(array) > 1 else 0.0
    return float(array.mean()), 1.96 * spread / math.sqrt(len(array))


def table(runs: list[SeedRun], window: int) -> str:
    """Markdown: per seed, captured first → last, at random, share to the best arm."""
    lines = [
        f"| seed | captured, first → last {window} h | at random | share to the best arm |",
        "|---|---|---|---|",
    ]
    lines.extend(
        f"| {r.seed} | {r.captured[0]:.0%} → {r.captured[1]:.0%} | "
        f"{r.at_random[0]:.0%}, {r.at_random[1]:.0%} | "
        f"{r.best_arm_share[0]:.0%} → {r.best_arm_share[1]:.0%} |"
        for r in runs
    )
    gain = [r.captured[1] - r.captured[0] for r in runs]
    mean, half = mean_ci(gain)
    lines.append(f"\nLast minus first window: {mean:+.1%} ± {half:.1%} (95 %), mean over seeds.")
    return "\n".join(lines)


def chart(runs: list[SeedRun], path: Path) -> None:
    """Per day, the captured share of each seed (thin) and their mean (thick)."""
    figure = Figure(figsize=(9, 5), dpi=100)
    axes = figure.add_subplot()
    curves = np.array([r.per_day for r in runs], dtype=float)
    days = np.arange(curves.shape[1]) + 1
    for r, curve in zip(runs, curves, strict=True):
        axes.plot(days, curve, linewidth=0.8, alpha=0.5, label=f"seed {r.seed}")
    axes.plot(days, np.nanmean(curves, axis=0), color="black", linewidth=2.5, label="mean")
    random_level = np.mean([np.mean(r.at_random) for r in runs])
    axes.axhline(random_level, color="grey", linestyle="--", label="random pick (mean)")
    axes.set_ylim(0, 1.02)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("day of the run")
    axes.set_ylabel("true worth chosen / best candidate's")
    axes.set_title("Closed loop: each hour's choice against that hour's best candidate")
    axes.legend(fontsize="small", ncol=2, loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the seeds, print the table (or JSON), write the chart."""
    parser = argparse.ArgumentParser(prog="python -m bench.closed_loop", description=__doc__)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--hours", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--chart", type=Path)
    args = parser.parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    runs = run(seeds, args.hours, args.workers)
    if args.chart:
        chart(runs, args.chart)
    if args.json:
        print(json.dumps([asdict(r) for r in runs], indent=1))
    else:
        print(table(runs, max(1, min(WINDOW_HOURS, args.hours // 2))))


if __name__ == "__main__":
    main()
