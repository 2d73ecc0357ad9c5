from __future__ import annotations

from bench.learner_tune_report import best_baseline, lines, paired, table

ROWS = [
    {"default": 10.0, "v": 8.0, "random": 30.0, "ucb1": 20.0},
    {"default": 12.0, "v": 11.0, "random": 34.0, "ucb1": 22.0},
    {"default": 14.0, "v": 11.0, "random": 32.0, "ucb1": 24.0},
]


def test_paired_difference_and_two_standard_errors() -> None:
    mean, diff, error = paired(ROWS, "v")
    assert mean == 10.0
    assert diff == -2.0
    # differences -2, -1, -3: sd 1, se 1 / sqrt(3)
    assert abs(error - 2 / 3**0.5) < 1e-12


def test_the_best_baseline_leaves_out_ours_and_the_variants() -> None:
    assert best_baseline(ROWS, ["v"]) == ("ucb1", 22.0)
    assert best_baseline([{"default": 1.0, "v": 2.0}], ["v"]) is None


def test_lines_and_table_give_the_target() -> None:
    assert lines({"easy": ROWS}, "v") == (
        "easy            default   12.0  variant   10.0  diff  -2.0 ± 1.2"
        "  best baseline ucb1 22.0, target 17.6"
    )
    assert table({"easy": ROWS}, ["v"]).splitlines()[2:] == [
        "| defaults | 12.0 |",
        "| v | 10.0 (-2.0 ± 1.2) |",
        "| target: 0.8 x best baseline | 17.6 (ucb1) |",
    ]
