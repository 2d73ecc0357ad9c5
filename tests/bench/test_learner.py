from __future__ import annotations

import json

import numpy as np
import pytest

from bench.learner import main, run, run_task
from bench.learner_env import SCENARIOS, world
from bench.learners import LEARNERS


def test_a_small_run_prints_every_figure_and_ours_beats_random(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--seeds", "3", "--cycles", "200", "--json", "--workers", "1"])
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == set(SCENARIOS)
    assert set(LEARNERS) == {
        "ours",
        "ema_greedy_0.5",
        "ema_greedy_0",
        "epsilon_greedy",
        "ucb1",
        "random",
    }
    for by_learner in figures.values():
        assert set(by_learner) == set(LEARNERS)
        for stats in by_learner.values():
            assert set(stats) == {"mean", "p90", "ci95", "pct_optimal"}
            assert stats["mean"] >= 0
            assert 0 <= stats["pct_optimal"] <= 100
    assert figures["easy"]["ours"]["mean"] < figures["easy"]["random"]["mean"]
    assert figures["two_stage"]["ours"]["mean"] < figures["two_stage"]["random"]["mean"]


def test_the_table_names_each_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--seeds", "2", "--cycles", "50", "--scenarios", "easy,delay", "--workers", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| scenario | ours | ema_greedy_0.5")
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| easy", "| delay"]


def test_first_seed_picks_the_seeds_run() -> None:
    figures = run(2, 30, ["easy"], 1, first_seed=7)
    expected = {seed: run_task(("easy", seed, 30))[2] for seed in (7, 8)}
    for name, runs in figures["easy"].items():
        for seed, (curve, share) in zip((7, 8), runs, strict=True):
            assert np.array_equal(curve, expected[seed][name][0])
            assert share == expected[seed][name][1]


def test_delay_sees_the_approvals_and_successes_of_easy() -> None:
    easy = world(SCENARIOS["easy"], 3, 200)
    delay = world(SCENARIOS["delay"], 3, 200)
    assert np.array_equal(easy.approve, delay.approve)
    assert np.array_equal(easy.success, delay.success)
    assert np.array_equal(easy.value, delay.value)
    assert delay.delay.mean() > 10  # mean 24 cycles
    assert not easy.delay.any()


def test_an_unknown_scenario_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--scenarios", "easy,windy"])
    assert "unknown scenario windy; known: easy, low" in capsys.readouterr().err
