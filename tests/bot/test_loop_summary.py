"""The closed loop's summary: shares early and late, the truly best arm, blocked hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from rich.console import Console

from bot.auto_decide import Decided
from bot.loop_chart import window_captured, window_shares
from bot.loop_summary import (
    ArmSummary,
    Choice,
    LoopSummary,
    captured,
    hour_choice,
    summarize,
    summary_renderable,
)
from engine.demo.decider import Decision, Verdict
from engine.demo.worth import Worth
from engine.model import LearnEvent, LearnEventKind, RejectReason
from engine.ports import DecisionOutcome

START = datetime(2026, 3, 2, tzinfo=UTC)
GOOD, POOR = "income/bundle_offer/standard", "income/email_campaign/standard"
WORTH = {GOOD: Worth(0.8, 0.03, 4000.0, 400.0), POOR: Worth(0.3, 0.02, 1100.0, 30.0)}


def decided(hour: int, arm: str, verdict: Verdict = Verdict.APPROVE) -> Decided:
    outcome = {Verdict.APPROVE: DecisionOutcome.APPROVED, Verdict.REJECT: DecisionOutcome.REJECTED}
    reason = RejectReason.NOT_NOW if verdict is Verdict.REJECT else None
    return Decided(
        action_id=f"a{hour}",
        arm=arm,
        runnable=True,
        at=START + timedelta(hours=hour),
        decision=Decision(verdict, reason),
        outcome=outcome.get(verdict),
        worth=WORTH[arm],
    )


def test_shares_move_to_the_truly_best_arm_and_counts_add_up() -> None:
    run = [decided(h, POOR if h % 2 else GOOD) for h in range(100)]
    run += [decided(h, GOOD) for h in range(100, 200)]
    events = [LearnEvent(GOOD, LearnEventKind.SUCCEEDED, START)] * 3
    events += [LearnEvent(GOOD, LearnEventKind.VALUE, START, value=250)] * 2
    summary = summarize(run, events, START, START + timedelta(hours=200))
    assert summary.best == (GOOD,)
    assert summary.share_to_best(last=False) == pytest.approx(0.5)
    assert summary.share_to_best(last=True) == pytest.approx(1.0)
    good = next(a for a in summary.arms if a.arm == GOOD)
    assert (good.proposals, good.approved, good.succeeded, good.measured) == (150, 150, 3, 500)


def test_hours_when_an_ignored_best_proposal_blocked_its_kind_are_left_out() -> None:
    run = [decided(0, GOOD, Verdict.IGNORE)]  # pending for 24 h: nothing else of its kind
    run += [decided(h, POOR, Verdict.REJECT) for h in range(1, 24)]
    run += [decided(h, GOOD) for h in range(24, 100)]
    summary = summarize(run, [], START, START + timedelta(hours=100))
    assert summary.window_hours == 50  # half of a run shorter than 200 hours
    assert summary.share_to_best(last=False) == pytest.approx(27 / 50)
    assert summary.free_shares[0] == pytest.approx(1.0)


@pytest.mark.parametrize(("hours", "window"), [(500, 100), (200, 100), (150, 75), (24, 12), (1, 1)])
def test_a_short_run_compares_its_two_halves(hours: int, window: int) -> None:
    run = [decided(h, POOR if h < hours / 2 else GOOD) for h in range(hours)]
    summary = summarize(run, [], START, START + timedelta(hours=hours))
    assert summary.window_hours == window
    if hours > 1:
        assert (summary.share_to_best(last=False), summary.share_to_best(last=True)) == (0, 1)


def test_the_chart_shares_per_day_sum_to_one() -> None:
    run = [decided(h, POOR if h < 24 else GOOD) for h in range(48)]
    shares = window_shares(run, START, 48, [GOOD, POOR])
    assert shares.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_the_charts_line_is_the_worth_captured_per_day() -> None:
    choices = [Choice(START + timedelta(hours=h), 100.0, 400.0, 250.0) for h in range(24)]
    choices += [Choice(START + timedelta(hours=h), 300.0, 300.0, 250.0) for h in (30, 40)]
    captured_per_day = window_captured(choices, START, 72)
    assert captured_per_day[:2].tolist() == [0.25, 1.0]
    assert np.isnan(captured_per_day[2])  # a day without a runnable proposal has no point


def test_the_summary_fits_an_80_column_terminal_with_every_figure_whole() -> None:
    arms = (
        ArmSummary("income/bundle_offer/standard", True, 250, 180, 65, 5, 170, 1_008_574,
                   0.72, 41_602, 0.29, 0.73),
        ArmSummary("income/referral_incentive/give_10", True, 125, 97, 22, 6, 97, -1_048_985,
                   0.79, 1_599, 0.2, 0.2),
        ArmSummary("ops/price_test/plus_5", False, 37, 0, 16, 21, 0, 0, 0.52, 0, 0, 0),
    )  # fmt: skip
    summary = LoopSummary(
        arms,
        ("income/bundle_offer/standard",),
        100,
        (0.4, 0.95),
        captured=(0.61, 0.93),
        at_random=(0.55, 0.52),
    )
    console = Console(width=80, record=True)
    console.print(summary_renderable(summary, "USD"))
    text = console.export_text()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    assert "bundle_offer/standard *" in text
    assert "referral_incentive/give_10 " in text  # whole beside an 11-character lift
    assert "-$10,489.85" in text
    assert "ops/price_test/plus_5 (advice)" in text
    assert "$10,085.74" in text
    assert "$416.02" in text
    assert "last 100 h 73%" in text
    assert "61% of its true worth in the first 100 h, 93% in the last 100 h" in " ".join(
        text.split()
    )
    assert "(choosing at random: 55%, 52%)" in " ".join(text.split())


def test_an_hours_choice_is_measured_against_as_many_best_candidates() -> None:
    at = START
    assert hour_choice(at, [100.0, 300.0, 200.0], [1]) == Choice(at, 300.0, 300.0, 200.0)
    assert hour_choice(at, [100.0, 300.0, 200.0], [0]) == Choice(at, 100.0, 300.0, 200.0)
    two = hour_choice(at, [100.0, 300.0, 200.0], [0, 2])
    assert two == Choice(at, 300.0, 500.0, 400.0)
    assert hour_choice(at, [100.0], []) is None  # nothing runnable was proposed
    assert hour_choice(at, [], [0]) is None


def test_the_captured_share_moves_as_the_choices_improve() -> None:
    early = [Choice(START + timedelta(hours=h), 100.0, 300.0, 200.0) for h in range(100)]
    late = [Choice(START + timedelta(hours=h), 300.0, 300.0, 200.0) for h in range(100, 200)]
    events: list[LearnEvent] = []
    run = [decided(h, GOOD) for h in range(200)]
    summary = summarize(run, events, START, START + timedelta(hours=200), choices=early + late)
    assert summary.captured == pytest.approx((1 / 3, 1.0))
    assert summary.at_random == pytest.approx((2 / 3, 2 / 3))
    assert captured([], START, START + timedelta(hours=1)) == (0.0, 0.0)
