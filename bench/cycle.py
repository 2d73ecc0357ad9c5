"""Benchmark: one cycle on the demo shop with 10 k, 100 k and 1 M orders of history.

History grows at the demo shop's own fixed rate of orders per day, so the 24 h window is the
same size at every history length: a cycle whose cost follows the window, not the history,
takes about the same time at every size. Each size is seeded once into its own SQLite file
under bench/results/ (reused by later runs), then the cycle runs `--repeats` times after one
warm-up, each run on a cleared engine store so every run does the same work. Start-up (opening
the database, migrations, seeding) is excluded. Prints medians and spreads per step, and the
ratio of each size's total to the smallest size's, all measured in one run.

    python -m bench.cycle                      # 10k, 100k, 1M orders; 5 repeats
    python -m bench.cycle --sizes 10000,100000 --repeats 9 --json
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from bot.bootstrap import Runtime, build_runtime
from engine.cycle import run_cycle
from engine.demo.tables import orders
from engine.settings import load_settings
from engine.store import clear_business_data

RESULTS = Path(__file__).parent / "results"
END = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
CALIBRATION_DAYS = 7
STEPS = ("monitor", "detect", "learn", "recover", "optimize", "generate")


def orders_per_day(console: Console) -> float:
    """The demo shop's rate, measured on a week of freshly seeded history."""
    runtime = _runtime(RESULTS / "calibration.db")
    runtime.shop.start(scenario="normal", seed=1, end=END, days=CALIBRATION_DAYS)
    with runtime.database.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(orders)).scalar_one()
    runtime.database.dispose()
    rate = count / CALIBRATION_DAYS
    console.print(f"demo shop: {rate:,.0f} orders per day")
    return rate


def _runtime(path: Path) -> Runtime:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{path}"}, dotenv=None)
    return build_runtime(settings)


def seeded(size: int, rate: float, console: Console) -> Path:
    """A database with about `size` orders of history, seeded once and reused."""
    days = math.ceil(size / rate)
    path = RESULTS / f"cycle-{size}-{days}d.db"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for stale in RESULTS.glob(partial.name + "*"):
        stale.unlink()
    runtime = _runtime(partial)
    columns = (
        TextColumn(f"seeding {size:,} orders ({days} days)"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("seed", total=days)
        runtime.shop.start(
            scenario="normal",
            seed=1,
            end=END,
            days=days,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    runtime.database.dispose()
    partial.rename(path)
    return path


def measure(path: Path, repeats: int) -> dict[str, list[float]]:
    """Per-step milliseconds of `repeats` cycles (after a warm-up), each on a cleared store."""
    runtime = _runtime(path)
    with runtime.database.engine.connect() as connection:
        total_orders = connection.execute(select(func.count()).select_from(orders)).scalar_one()
    timings: dict[str, list[float]] = {step: [] for step in (*STEPS, "total")}
    for run in range(repeats + 1):
        clear_business_data(runtime.database)
        started = time.perf_counter()
        report = run_cycle(
            runtime.config, runtime.ports, now=END, slot=f"bench:{run}", trigger="bench"
        )
        total = (time.perf_counter() - started) * 1000
        if run == 0:
            continue  # warm-up: caches, first queries
        for name, ms in report.step_ms:
            timings[name].append(ms)
        timings["total"].append(total)
    runtime.database.dispose()
    timings["orders"] = [float(total_orders)]
    return timings


def spread(values: list[float]) -> str:
    """Median with the range of the runs."""
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    """Seed, measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    console = Console(stderr=args.json, width=160)
    RESULTS.mkdir(exist_ok=True)
    rate = orders_per_day(console)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: measure(seeded(size, rate, console), args.repeats) for size in sizes}
    base = statistics.median(results[sizes[0]]["total"])
    if args.json:
        print(json.dumps({str(size): dict(r) for size, r in results.items()}))
        return
    table = Table(title=f"one cycle, ms: median (min-max) of {args.repeats} runs")
    for column in ("orders", *STEPS, "total", "x smallest"):
        table.add_column(column, justify="right")
    for timing in results.values():
        ratio = statistics.median(timing["total"]) / base
        cells = [spread(timing[step]) for step in (*STEPS, "total")]
        table.add_row(f"{int(timing['orders'][0]):,}", *cells, f"{ratio:.2f}")
    console.print(table)


if __name__ == "__main__":
    main()
