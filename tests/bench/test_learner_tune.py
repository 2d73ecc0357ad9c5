from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.learner_tune import main, run_task, variants
from engine.learn import DEFAULT_CONFIG


def test_a_grid_makes_one_variant_per_combination_with_the_set_in_each() -> None:
    made = variants(["reset_keep=0.05"], ["sharpness=6,8", "half_life_hours=100,200"])
    assert [label for label, _ in made] == [
        "reset_keep=0.05 sharpness=6.0 half_life_hours=100.0",
        "reset_keep=0.05 sharpness=6.0 half_life_hours=200.0",
        "reset_keep=0.05 sharpness=8.0 half_life_hours=100.0",
        "reset_keep=0.05 sharpness=8.0 half_life_hours=200.0",
    ]
    assert {config.reset_keep for _, config in made} == {0.05}
    assert made[3][1].sharpness == 8.0
    assert made[3][1].half_life_hours == 200.0


def test_the_defaults_as_variant_differ_by_nothing() -> None:
    _, totals = run_task(("hidden_drift", 1000, 200, (("same", DEFAULT_CONFIG),), False))
    assert set(totals) == {"default", "same"}
    assert totals["same"] == totals["default"]


def test_a_changed_constant_changes_the_variant_only() -> None:
    changed = variants(["sharpness=1.0", "half_life_hours=20.0"], [])
    _, alone = run_task(("easy", 1001, 300, (), False))
    _, totals = run_task(("easy", 1001, 300, changed, True))
    label = changed[0][0]
    assert totals["default"] == alone["default"]
    assert totals[label] != alone["default"]
    assert {"ema_greedy_0.5", "epsilon_greedy", "random"} <= set(totals)
    assert "ours" not in totals


def test_one_variant_prints_a_line_per_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--set", "reset_keep=0.03", "--seeds", "3", "--cycles", "60", "--workers", "1"]
    main([*args, "--scenarios", "easy,low", "--baselines"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["easy", "low"]
    for line in lines:
        assert re.search(r"diff +[+-]\d+\.\d ± \d+\.\d  best baseline \S+ [\d.]+, target", line)


def test_a_grid_prints_a_table_and_draws_a_chart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chart = tmp_path / "frontier.png"
    args = ["--grid", "sharpness=4,8", "--seeds", "2", "--cycles", "60", "--workers", "2"]
    main([*args, "--scenarios", "easy,low", "--baselines", "--chart", str(chart)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| variant | easy | low |"
    assert [line.split(" | ")[0] for line in lines[2:]] == [
        "| defaults",
        "| sharpness=4.0",
        "| sharpness=8.0",
        "| target: 0.8 x best baseline",
    ]
    assert chart.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenarios", "easy,stormy"], "unknown scenario stormy"),
        (["--set", "sharpness=sharp"], "'sharp' is not a Python literal"),
        (["--chart", "x.png"], "--chart draws the target, which needs --baselines"),
    ],
)
def test_bad_arguments_are_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(args)
    assert message in capsys.readouterr().err
