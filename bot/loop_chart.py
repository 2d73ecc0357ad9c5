"""The closed loop's chart: per 24-hour window, the share of runnable proposals per arm.

A line over the bars: per window, the true worth of what was chosen as a share of the best
candidates' (`bot.loop_summary.Choice`), the learner's convergence hour by hour.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.auto_decide import Decided
from bot.loop_summary import Choice, LoopSummary

BUCKET_HOURS = 24


def window_shares(
    decided: Sequence[Decided], start: datetime, hours: int, arms: Sequence[str]
) -> np.ndarray:
    """Shares of runnable proposals per arm (rows) and 24-hour window (columns)."""
    buckets = max(1, -(-hours // BUCKET_HOURS))
    counts = np.zeros((len(arms), buckets))
    index = {arm: i for i, arm in enumerate(arms)}
    per_bucket: Counter[tuple[str, int]] = Counter(
        (d.arm, int((d.at - start) / timedelta(hours=BUCKET_HOURS)))
        for d in decided
        if d.runnable and d.arm in index
    )
    for (arm, bucket), n in per_bucket.items():
        if 0 <= bucket < buckets:
            counts[index[arm], bucket] = n
    totals = counts.sum(axis=0)
    return np.asarray(np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0))


def window_captured(choices: Sequence[Choice], start: datetime, hours: int) -> np.ndarray:
    """Per 24-hour window, the chosen candidates' true worth over the best ones' (NaN: none)."""
    buckets = max(1, -(-hours // BUCKET_HOURS))
    chosen, best = np.zeros(buckets), np.zeros(buckets)
    for choice in choices:
        bucket = int((choice.at - start) / timedelta(hours=BUCKET_HOURS))
        if 0 <= bucket < buckets:
            chosen[bucket] += choice.chosen
            best[bucket] += choice.best
    return np.asarray(np.divide(chosen, best, out=np.full(buckets, np.nan), where=best > 0))


def write_chart(
    path: Path,
    decided: Sequence[Decided],
    summary: LoopSummary,
    start: datetime,
    hours: int,
    *,
    choices: Sequence[Choice] = (),
) -> None:
    """Write the stacked-share chart as a PNG, the truly best arm(s) hatched and starred."""
    arms = [a.arm for a in sorted(summary.arms, key=lambda a: -a.true_value) if a.runnable]
    shares = window_shares(decided, start, hours, arms)
    days = np.arange(shares.shape[1]) + 1
    figure = Figure(figsize=(10, 5.5), dpi=100)
    axes = figure.add_subplot()
    bottom = np.zeros(shares.shape[1])
    for i, arm in enumerate(arms):
        best = arm in summary.best
        axes.bar(
            days,
            shares[i],
            bottom=bottom,
            width=0.9,
            label=f"{arm} (truly best)" if best else arm,
            hatch="//" if best else None,
            edgecolor="black" if best else "white",
            linewidth=1.2 if best else 0.5,
        )
        bottom += shares[i]
    if choices:
        axes.plot(
            days,
            window_captured(choices, start, hours),
            color="black",
            marker="o",
            linewidth=2,
            label="true worth chosen / best candidate's",
        )
    axes.set_xlabel(f"day of the run ({BUCKET_HOURS}-hour windows)")
    axes.set_ylabel("share of runnable proposals; share of the best worth")
    axes.set_ylim(0, 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("What the learner proposed each day (auto-decided demo shop)")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
