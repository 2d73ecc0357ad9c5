"""The simulated owner's true worth of a proposal counts only the targets it would reach."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.auto_decide import AutoDecider
from bot.bootstrap import build_runtime
from engine.cycle import run_cycle
from engine.settings import Settings

END = datetime(2026, 3, 2, 12, tzinfo=UTC)


def test_targets_the_worker_would_skip_are_worth_nothing(tmp_path: Path) -> None:
    runtime = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'income.db'}"))
    try:
        runtime.shop.start(scenario="normal", seed=5, end=END, days=2)
        report = run_cycle(runtime.config, runtime.ports, now=END, slot="t", trigger="demo")
        with runtime.database.uow() as uow:
            actions = [uow.actions.get(p.action_id) for p in report.proposals]
        action = next(a for a in actions if a is not None and len(a.candidate.targets) >= 4)
        decider = AutoDecider(runtime)
        full = decider.worth(action, END)
        targets = action.candidate.targets
        with runtime.database.uow() as uow:
            for target in targets[: len(targets) // 2]:
                assert target.email
                uow.suppressions.add(target.email, "unsubscribed", END)
            uow.commit()
        half = decider.worth(action, END)
        with runtime.database.uow() as uow:
            for target in targets:
                assert target.email
                uow.suppressions.add(target.email, "unsubscribed", END)
            uow.commit()
        none = decider.worth(action, END)
    finally:
        runtime.database.dispose()
    assert full.expected_value > half.expected_value > none.expected_value == 0
    assert full.p_approved == half.p_approved == none.p_approved
