"""The closed-loop benchmark: per-seed capture of the best candidate's worth, table, chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.closed_loop import SeedRun, main, mean_ci, table

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_short_run_reports_each_seeds_capture_and_draws_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "loop.png"
    args = ["--seeds", "1", "--first-seed", "3", "--hours", "30", "--workers", "1", "--json"]
    main([*args, "--chart", str(chart)])
    (run,) = json.loads(capsys.readouterr().out)
    assert run["seed"] == 3
    assert all(0 < share <= 1 for share in run["captured"])
    assert all(0 < share <= 1 for share in run["at_random"])
    assert len(run["per_day"]) == 2  # 30 hours: a full day and a part
    assert chart.read_bytes().startswith(PNG)


def test_the_table_has_a_row_per_seed_and_the_mean_gain() -> None:
    runs = [
        SeedRun(1, (0.6, 0.9), (0.5, 0.5), (0.3, 0.6), (0.6, 0.9), 1.0),
        SeedRun(2, (0.7, 0.8), (0.6, 0.6), (0.4, 0.4), (0.7, 0.8), 1.0),
    ]
    text = table(runs, 100)
    assert "| 1 | 60% → 90% | 50%, 50% | 30% → 60% |" in text
    assert "| 2 | 70% → 80% |" in text
    assert "+20.0% ±" in text
    assert mean_ci([0.3, 0.1]) == pytest.approx((0.2, 1.96 * 0.1414213 / 1.4142135))
