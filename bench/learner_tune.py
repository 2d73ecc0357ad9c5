"""Tuning: our learner with changed constants against its defaults, paired on the same seeds.

    python -m bench.learner_tune --set reset_keep=0.03 --seeds 300
    python -m bench.learner_tune --grid half_life_hours=120,250 --grid sharpness=6,8 \\
        --baselines --chart docs/learner_frontier.png

`--set` changes a `LearnConfig` field in every variant; `--grid` makes one variant per
combination of its values. One variant prints each scenario's mean total regret for the
defaults and the variant and their paired difference with two standard errors (common random
numbers: both see the same world and the same seed for their draws); several print a table.
`--baselines` adds the best baseline and the issue's target, 0.8x its mean; `--chart` draws
every variant against that target. Seeds start at 1000: the figures in docs/learner.md are on
seeds 0-399, so a constant is never judged on the seeds it was chosen on.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import sys
import time
from contextlib import nullcontext
from multiprocessing import Pool
from pathlib import Path

from bench.learner import add_run_options, scenario_names
from bench.learner_env import ARMS, SCENARIOS, simulate, world
from bench.learner_tune_report import Totals, chart, lines, table
from bench.learners import LEARNERS, Ours
from bench.tune_overrides import parse_grid, parse_overrides
from engine.learn import DEFAULT_CONFIG, LearnConfig

TUNING_SEED = 1000
Variants = tuple[tuple[str, LearnConfig], ...]
Task = tuple[str, int, int, Variants, bool]


def run_task(task: Task) -> tuple[str, Totals]:
    """Defaults, the variants and optionally every baseline on one seed of one scenario."""
    scenario, seed, cycles, variants, baselines = task
    env = world(SCENARIOS[scenario], seed, cycles)
    totals: Totals = {}
    for label, config in (("default", DEFAULT_CONFIG), *variants):
        regret, _ = simulate(env, Ours(ARMS, random.Random(f"{seed}:ours"), config))
        totals[label] = float(regret.sum())
    for name, make in LEARNERS.items() if baselines else ():
        if name != "ours":
            regret, _ = simulate(env, make(ARMS, random.Random(f"{seed}:{name}")))
            totals[name] = float(regret.sum())
    return scenario, totals


def variants(sets: list[str], grids: list[str]) -> Variants:
    """One labelled configuration per combination of the grid's values, `--set` in each."""
    fixed = parse_overrides(sets)
    axes = parse_grid(grids)
    names = list(axes)
    out = []
    for values in itertools.product(*axes.values()):
        changes = {**fixed, **dict(zip(names, values, strict=True))}
        label = " ".join(f"{name}={value}" for name, value in changes.items()) or "variant"
        out.append((label, dataclasses.replace(DEFAULT_CONFIG, **changes)))
    return tuple(out)


def collect(tasks: list[Task], scenarios: list[str], workers: int) -> dict[str, list[Totals]]:
    """Every task's totals by scenario, seeds in order; progress on stderr."""
    results: dict[str, list[Totals]] = {name: [] for name in scenarios}
    started = time.perf_counter()
    with Pool(workers) if workers > 1 else nullcontext() as pool:
        outcomes = pool.imap(run_task, tasks) if pool else map(run_task, tasks)
        for done, (scenario, totals) in enumerate(outcomes, 1):
            results[scenario].append(totals)
            if done % max(1, len(tasks) // 10) == 0 or done == len(tasks):
                elapsed = time.perf_counter() - started
                print(f"{done}/{len(tasks)} runs, {elapsed:.1f} s", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the defaults and the variants side by side, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.learner_tune", description=__doc__)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...")
    add_run_options(parser, seeds=200, first_seed=TUNING_SEED)
    parser.add_argument("--baselines", action="store_true", help="also run every baseline")
    parser.add_argument("--chart", type=Path, help="with --baselines: variants against target")
    args = parser.parse_args(argv)
    try:
        configs = variants(args.set, args.grid)
    except ValueError as error:
        parser.error(str(error))
    scenarios = scenario_names(parser, args.scenarios)
    if args.chart and not args.baselines:
        parser.error("--chart draws the target, which needs --baselines")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    tasks = [(s, seed, args.cycles, configs, args.baselines) for s in scenarios for seed in seeds]
    results = collect(tasks, scenarios, args.workers)
    labels = [label for label, _ in configs]
    print(lines(results, labels[0]) if len(labels) == 1 else table(results, labels))
    if args.chart:
        chart(results, labels, args.chart)


if __name__ == "__main__":
    main()
