"""Benchmark: our learner against EMA-greedy and other baselines in a simulated shop.

Six arms with known true approval rates, success rates and values; regret per cycle is the
best arm's expected reward minus the chosen arm's, summed over the run. Every learner sees the
same random numbers per seed (common random numbers), so differences are paired. Scenarios are
in `bench.learner_env`; learners in `bench.learners`, all driven through one API.

    python -m bench.learner --seeds 50 --cycles 1000 --json
    python -m bench.learner --seeds 200 --chart docs/learner_regret.png
    python -m bench.learner --first-seed 1000 --seeds 50 --scenarios hidden_drift   # tuning

Tune on seeds from 1000 up (`--first-seed`); seeds 0-399 are for the figures in
docs/learner.md, so a constant is not judged on the seeds it was chosen on.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Iterable
from contextlib import nullcontext
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from bench.learner_env import ARMS, SCENARIOS, simulate, world
from bench.learners import LEARNERS

Task = tuple[str, int, int]
Result = tuple[str, int, dict[str, tuple[np.ndarray, float]]]


def run_task(task: Task) -> Result:
    """Every learner on one seed of one scenario."""
    scenario, seed, cycles = task
    env = world(SCENARIOS[scenario], seed, cycles)
    runs = {}
    for name, make in LEARNERS.items():
        regret, optimal = simulate(env, make(ARMS, random.Random(f"{seed}:{name}")))
        runs[name] = (np.cumsum(regret), optimal)
    return scenario, seed, runs


def run(
    seeds: int, cycles: int, scenarios: Iterable[str], workers: int, first_seed: int = 0
) -> dict[str, dict[str, list[tuple[np.ndarray, float]]]]:
    """Cumulative regret curves and optimal shares per scenario and learner, seeds in order."""
    numbers = range(first_seed, first_seed + seeds)
    tasks = [(name, seed, cycles) for name in scenarios for seed in numbers]
    results: dict[str, dict[int, dict[str, tuple[np.ndarray, float]]]] = {}
    started = time.perf_counter()
    with Pool(workers) if workers > 1 else nullcontext() as pool:
        outcomes = pool.imap_unordered(run_task, tasks) if pool else map(run_task, tasks)
        for done, (scenario, seed, runs) in enumerate(outcomes, 1):
            results.setdefault(scenario, {})[seed] = runs
            if done % max(1, len(tasks) // 20) == 0 or done == len(tasks):
                elapsed = time.perf_counter() - started
                print(f"{done}/{len(tasks)} runs, {elapsed:.1f} s", file=sys.stderr)
    return {
        scenario: {name: [by_seed[s][name] for s in sorted(by_seed)] for name in LEARNERS}
        for scenario, by_seed in results.items()
    }


def summary(runs: list[tuple[np.ndarray, float]]) -> dict[str, float]:
    """Mean, 90th percentile and 95 % confidence half-width of total regret; % optimal."""
    totals = np.array([curve[-1] for curve, _ in runs])
    spread = float(totals.std(ddof=1)) if len(totals) > 1 else 0.0
    return {
        "mean": round(float(totals.mean()), 3),
        "p90": round(float(np.percentile(totals, 90)), 3),
        "ci95": round(1.96 * spread / math.sqrt(len(totals)), 3),
        "pct_optimal": round(100 * float(np.mean([share for _, share in runs])), 1),
    }


def paired(ours: list[tuple[np.ndarray, float]], other: list[tuple[np.ndarray, float]]) -> str:
    """Ours / other mean regret and whether the paired difference is significant (|t| > 2)."""
    a = np.array([c[-1] for c, _ in ours])
    b = np.array([c[-1] for c, _ in other])
    diff = a - b
    se = float(diff.std(ddof=1)) / math.sqrt(len(diff)) if len(diff) > 1 else math.inf
    t = float(diff.mean()) / se if se > 0 else 0.0
    return f"{a.mean() / b.mean():.2f}x{'*' if abs(t) > 2 else ''}"


def table(figures: dict[str, dict[str, list[tuple[np.ndarray, float]]]]) -> str:
    """A Markdown table: mean / p90 regret per scenario and learner, ratios to baselines."""
    names = list(LEARNERS)
    lines = [
        "| scenario | " + " | ".join(names) + " | ours/ema_0.5 | ours/best baseline |",
        "|---" * (len(names) + 3) + "|",
    ]
    for scenario, by_learner in figures.items():
        cells = []
        for name in names:
            s = summary(by_learner[name])
            cells.append(f"{s['mean']:.1f} / {s['p90']:.1f}")
        baselines = [n for n in names if n != "ours"]
        best = min(baselines, key=lambda n: summary(by_learner[n])["mean"])
        ema = paired(by_learner["ours"], by_learner["ema_greedy_0.5"])
        top = f"{paired(by_learner['ours'], by_learner[best])} ({best})"
        lines.append(f"| {scenario} | " + " | ".join(cells) + f" | {ema} | {top} |")
    return "\n".join(lines)


def chart(figures: dict[str, dict[str, list[tuple[np.ndarray, float]]]], path: Path) -> None:
    """Mean cumulative regret over time, one panel per scenario."""
    plt.switch_backend("Agg")
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), sharex=True)
    for ax, (scenario, by_learner) in zip(axes.flat, figures.items(), strict=False):
        for name, runs in by_learner.items():
            curve = np.mean([c for c, _ in runs], axis=0)
            ax.plot(curve, label=name, linewidth=2.5 if name == "ours" else 1.2)
        ax.set_title(scenario)
        ax.set_xlabel("cycle")
        ax.set_ylabel("cumulative regret")
        ax.grid(alpha=0.3)
    axes.flat[0].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def add_run_options(parser: argparse.ArgumentParser, *, seeds: int, first_seed: int) -> None:
    """The options every learner benchmark takes: which seeds, how long, which scenarios."""
    parser.add_argument("--seeds", type=int, default=seeds)
    parser.add_argument(
        "--first-seed",
        type=int,
        default=first_seed,
        help="seeds first-seed .. first-seed + seeds - 1",
    )
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--workers", type=int, default=2)


def scenario_names(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """The comma-separated scenarios, or an argument error naming the unknown ones."""
    names = text.split(",")
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    return names


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every learner on every scenario, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.learner", description=__doc__)
    add_run_options(parser, seeds=50, first_seed=0)
    parser.add_argument("--json", action="store_true", help="print JSON figures only")
    parser.add_argument("--chart", type=Path, help="write the regret-over-time PNG here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenarios = scenario_names(parser, args.scenarios)
    figures = run(args.seeds, args.cycles, scenarios, args.workers, args.first_seed)
    if args.chart:
        chart(figures, args.chart)
    if args.json:
        out: dict[str, Any] = {
            s: {name: summary(runs) for name, runs in by.items()} for s, by in figures.items()
        }
        print(json.dumps(out, indent=2))
    else:
        print(table(figures))
    print(f"{time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
