"""The tuning run's figures: per-scenario lines, a variants table, a chart against the target."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

Totals = dict[str, float]  # "default", a variant's label or a baseline -> total regret
TARGET = 0.8  # the target: mean regret at least 20 % below the best baseline's
OURS = "default"


def mean(rows: list[Totals], label: str) -> float:
    """Mean total regret of the defaults, a variant or a baseline."""
    return float(np.mean([row[label] for row in rows]))


def paired(rows: list[Totals], label: str) -> tuple[float, float, float]:
    """The variant's mean, its paired difference from the defaults, two standard errors."""
    variant = np.array([row[label] for row in rows])
    diff = variant - np.array([row[OURS] for row in rows])
    se = float(diff.std(ddof=1)) / math.sqrt(len(diff)) if len(diff) > 1 else 0.0
    return float(variant.mean()), float(diff.mean()), 2 * se


def best_baseline(rows: list[Totals], labels: list[str]) -> tuple[str, float] | None:
    """The baseline with the lowest mean regret, if baselines were run."""
    others = [name for name in rows[0] if name != OURS and name not in labels]
    if not others:
        return None
    means = {name: mean(rows, name) for name in others}
    best = min(means, key=means.__getitem__)
    return best, means[best]


def lines(results: dict[str, list[Totals]], label: str) -> str:
    """One line per scenario: defaults, variant, paired difference, best baseline, target."""
    out = []
    for scenario, rows in results.items():
        variant, diff, error = paired(rows, label)
        text = (
            f"{scenario:15s} default {mean(rows, OURS):6.1f}  variant {variant:6.1f}"
            f"  diff {diff:+5.1f} ± {error:.1f}"
        )
        best = best_baseline(rows, [label])
        if best:
            text += f"  best baseline {best[0]} {best[1]:.1f}, target {TARGET * best[1]:.1f}"
        out.append(text)
    return "\n".join(out)


def table(results: dict[str, list[Totals]], labels: list[str]) -> str:
    """Markdown: mean regret (difference from the defaults ± 2 SE) per variant and scenario."""
    scenarios = list(results)
    out = ["| variant | " + " | ".join(scenarios) + " |", "|---" * (len(scenarios) + 1) + "|"]
    defaults = [f"{mean(results[s], OURS):.1f}" for s in scenarios]
    out.append("| defaults | " + " | ".join(defaults) + " |")
    for label in labels:
        cells = []
        for scenario in scenarios:
            variant, diff, error = paired(results[scenario], label)
            cells.append(f"{variant:.1f} ({diff:+.1f} ± {error:.1f})")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    targets = [best_baseline(results[s], labels) for s in scenarios]
    if all(targets):
        cells = [f"{TARGET * t[1]:.1f} ({t[0]})" for t in targets if t]
        out.append(f"| target: {TARGET} x best baseline | " + " | ".join(cells) + " |")
    return "\n".join(out)


def chart(results: dict[str, list[Totals]], labels: list[str], path: Path) -> None:
    """One panel per scenario: each variant's mean regret, the target as a line."""
    plt.switch_backend("Agg")
    names = ["defaults", *(_values(label) for label in labels)]
    fig, axes = plt.subplots(
        1, len(results), figsize=(3.2 * len(results), 1.2 + 0.3 * len(names)), sharey=True
    )
    for ax, (scenario, rows) in zip(np.atleast_1d(axes), results.items(), strict=True):
        means = [mean(rows, label) for label in (OURS, *labels)]
        best = best_baseline(rows, labels)
        target = TARGET * best[1] if best else math.inf
        colours = ["tab:green" if value <= target else "tab:red" for value in means]
        ax.barh(range(len(names)), means, color=colours)
        if best:
            ax.axvline(target, color="black", linestyle="--", linewidth=1)
        ax.set_title(f"{scenario}\n(target {target:.1f})", fontsize=9)
        ax.set_xlabel("mean total regret")
    first = np.atleast_1d(axes)[0]
    first.set_yticks(range(len(names)), names, fontsize=7)
    first.invert_yaxis()
    fig.suptitle(_names(labels[0]) if labels else "", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _values(label: str) -> str:
    """ "a=1 b=2" -> "1, 2": the chart names the fields once, in its title."""
    return ", ".join(part.partition("=")[2] for part in label.split(" "))


def _names(label: str) -> str:
    return ", ".join(part.partition("=")[0] for part in label.split(" "))
