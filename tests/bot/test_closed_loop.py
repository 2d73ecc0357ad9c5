"""`income demo --auto-decide`: a short closed loop on the real demo shop and SQLite."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from matplotlib.image import imread
from rich.console import Console

from bot.auto_decide import AUTO_ACTOR
from bot.bootstrap import build_runtime
from bot.cli import main
from bot.closed_loop import LoopRun, run_closed_loop
from engine.cycle import run_cycle
from engine.demo import tables
from engine.demo.decider import Verdict
from engine.model import Action, LearnEvent, LearnEventKind, TargetState
from engine.ports import DecisionOutcome
from engine.settings import Settings

END = datetime(2026, 3, 2, 12, tzinfo=UTC)
HOURS = 48
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Finished:
    run: LoopRun
    events: list[LearnEvent]
    actions: list[Action]
    delivered: set[str]
    chart: Path
    printed: str
    skipped: Counter[str]  # why the worker skipped targets, over every executed action


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Finished]:
    """A 48-hour closed loop on a shop with two days of history, one proposal an hour."""
    folder = tmp_path_factory.mktemp("loop")
    settings = Settings(database_url=f"sqlite:///{folder / 'income.db'}", max_proposals=1)
    runtime = build_runtime(settings)
    try:
        runtime.shop.start(scenario="normal", seed=5, end=END, days=2)
        out = io.StringIO()
        chart = folder / "chart" / "loop.png"
        run = run_closed_loop(
            runtime, Console(file=out, width=120), start=END, hours=HOURS, chart=chart
        )
        with runtime.database.uow() as uow:
            events = [event for _, event in uow.learner.events_after(0)]
            actions = uow.actions.find(None, limit=10_000)
            skipped = Counter(
                record.detail or ""
                for action in actions
                for record in uow.executions.targets(action.id)
                if record.state is TargetState.FAILED
            )
        with runtime.database.engine.connect() as connection:
            rows = connection.execute(sa.select(tables.deliveries.c.action_id))
            delivered = {str(action_id) for (action_id,) in rows}
        yield Finished(run, events, actions, delivered, chart, out.getvalue(), skipped)
    finally:
        runtime.database.dispose()


def test_every_proposal_is_decided_once_by_the_simulated_owner(finished: Finished) -> None:
    decided = finished.run.decided
    assert len({d.action_id for d in decided}) == len(decided) == len(finished.actions)
    verdicts = Counter(d.decision.verdict for d in decided)
    assert verdicts[Verdict.APPROVE] > 0
    assert verdicts[Verdict.REJECT] > 0
    by_id = {a.id: a for a in finished.actions}
    for d in decided:
        action = by_id[d.action_id]
        if d.decision.verdict is Verdict.IGNORE:
            assert action.decided_by in (None, "system")  # left to expire
        else:
            assert action.decided_by == AUTO_ACTOR
            expected = (
                DecisionOutcome.APPROVED
                if d.decision.verdict is Verdict.APPROVE
                else DecisionOutcome.REJECTED
            )
            assert d.outcome is expected


def test_the_learner_gets_the_decisions_and_the_executions_as_events(finished: Finished) -> None:
    kinds = Counter(event.kind for event in finished.events)
    verdicts = Counter(d.decision.verdict for d in finished.run.decided)
    assert kinds[LearnEventKind.APPROVED] == verdicts[Verdict.APPROVE]
    assert kinds[LearnEventKind.REJECTED] == verdicts[Verdict.REJECT]
    assert (
        kinds[LearnEventKind.SUCCEEDED] + kinds[LearnEventKind.FAILED] == verdicts[Verdict.APPROVE]
    )
    assert kinds[LearnEventKind.SUCCEEDED] > 0


def test_approved_emails_were_delivered_to_the_demo_shop(finished: Finished) -> None:
    approved = {d.action_id for d in finished.run.decided if d.decision.verdict is Verdict.APPROVE}
    assert approved
    assert approved <= finished.delivered
    rejected = {d.action_id for d in finished.run.decided if d.decision.verdict is Verdict.REJECT}
    assert not rejected & finished.delivered


def test_proposals_leave_out_whom_the_worker_would_skip(finished: Finished) -> None:
    # Generation reads the same contact policy as the worker, so an approved proposal's
    # targets are all mailed or held out: none capped, none already being measured.
    assert sum(finished.skipped.values()) == 0, finished.skipped
    assert len(finished.delivered) > 0


def test_one_runnable_proposal_an_hour_and_the_summary_adds_up(finished: Finished) -> None:
    summary = finished.run.summary
    runnable = [d for d in finished.run.decided if d.runnable]
    assert len(runnable) <= HOURS
    assert sum(a.proposals for a in summary.arms) == len(finished.run.decided)
    assert sum(a.first_share for a in summary.arms) == pytest.approx(1.0)
    assert summary.best
    best = max((a for a in summary.arms if a.runnable), key=lambda a: a.true_value)
    assert best.arm in summary.best
    assert "Closed loop per arm" in finished.printed
    assert "Truly best" in finished.printed
    early, late = summary.captured
    assert 0 < early <= 1  # the chosen candidates' true worth was compared with the best
    assert 0 < late <= 1
    assert summary.at_random[0] <= 1
    assert "true worth in the first" in " ".join(finished.printed.split())


def test_the_chart_is_a_png(finished: Finished) -> None:
    assert finished.chart.read_bytes().startswith(PNG)
    height, width, _ = imread(finished.chart).shape
    assert (width, height) == (1000, 550)


def use_database(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.chdir(folder)
    for name in ("INCOME_DEMO_SCENARIO", "INCOME_TIMEZONE", "INCOME_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder / 'income.db'}")


def test_the_cli_flag_runs_the_loop_and_writes_the_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["demo", "seed", "--days", "2", "--seed", "4"]) == 0
    chart = tmp_path / "auto.png"
    assert main(["demo", "--hours", "3", "--auto-decide", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "at most 1 runnable proposal a cycle" in out  # the default, so the learner chooses
    assert "Closed loop per arm" in out
    assert f"Chart written to {chart}" in out
    assert chart.read_bytes().startswith(PNG)
    assert max(runnable_proposals_per_cycle(tmp_path).values()) == 1


def test_an_explicit_limit_wins_over_the_auto_decide_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["demo", "seed", "--days", "2", "--seed", "4"]) == 0
    assert main(["demo", "--hours", "2", "--auto-decide", "--max-proposals", "3"]) == 0
    assert "at most 3 runnable proposals a cycle" in capsys.readouterr().out
    assert max(runnable_proposals_per_cycle(tmp_path).values()) > 1


def runnable_proposals_per_cycle(folder: Path) -> Counter[str]:
    """How many runnable actions each auto-decided cycle proposed, from the database."""
    runtime = build_runtime(Settings(database_url=f"sqlite:///{folder / 'income.db'}"))
    try:
        with runtime.database.uow() as uow:
            actions = uow.actions.find(None, limit=10_000)
    finally:
        runtime.database.dispose()
    return Counter(a.created_at.isoformat() for a in actions if a.candidate.runnable)


def test_a_chart_without_auto_decide_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(monkeypatch, tmp_path)
    assert main(["demo", "--hours", "1", "--chart", str(tmp_path / "x.png")]) == 1
    assert "add --auto-decide" in capsys.readouterr().err


def test_proposals_already_waiting_are_decided_first(tmp_path: Path) -> None:
    runtime = build_runtime(
        Settings(database_url=f"sqlite:///{tmp_path / 'income.db'}", max_proposals=1)
    )
    try:
        runtime.shop.start(scenario="normal", seed=5, end=END, days=2)
        report = run_cycle(runtime.config, runtime.ports, now=END, slot="before", trigger="demo")
        waiting = {view.action_id for view in (*report.proposals, *report.advice)}
        assert waiting
        run = run_closed_loop(
            runtime,
            Console(file=io.StringIO()),
            start=END + timedelta(hours=1),
            hours=1,
            chart=None,
        )
    finally:
        runtime.database.dispose()
    assert waiting <= {d.action_id for d in run.decided}  # not left to block their kinds
