"""As a new user would: a demo cycle proposes cart recovery, it is approved, mail goes out once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bootstrap import Runtime, build_runtime
from engine.cycle import run_cycle
from engine.executors.retry import RetryPolicy, no_sleep
from engine.model import ActionKind, ActionState, TargetState
from engine.ports import DecisionOutcome
from engine.settings import load_settings
from engine.worker import build_worker
from tests.conftest import T0
from tests.engine.executors.smtp_server import Handler, free_port, smtp_server
from tests.engine.executors.support import Clock, Reports

HOLDOUT = 0.1


@pytest.fixture
def handler() -> Handler:
    """The local SMTP server's recorder."""
    return Handler()


@pytest.fixture
def runtime(tmp_path: Path, handler: Handler) -> Iterator[Runtime]:
    """A runtime with SMTP_URL at a local server and a cart-abandonment demo shop, cycled once."""
    with smtp_server(handler) as port:
        settings = load_settings(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'income.db'}",
                "SMTP_URL": f"smtp://127.0.0.1:{port}",
                "INCOME_EMAIL_FROM": "shop@example.com",
                "INCOME_HOLDOUT": str(HOLDOUT),
                "INCOME_DEMO_SCENARIO": "cart_abandonment",
            },
            dotenv=None,
        )
        runtime = build_runtime(settings)
        runtime.shop.start(scenario="cart_abandonment", seed=7, end=T0, days=7)
        run_cycle(runtime.config, runtime.ports, now=T0, slot="demo:1", trigger="demo")
        try:
            yield runtime
        finally:
            runtime.database.dispose()


def cart_proposal(runtime: Runtime) -> str:
    """The id of the pending cart-recovery proposal."""
    with runtime.database.uow() as uow:
        actions = uow.actions.find([ActionState.PROPOSED])
    ids = [a.id for a in actions if a.candidate.kind is ActionKind.CART_RECOVERY_EMAIL]
    assert ids, "the cart-abandonment demo proposes cart recovery"
    return ids[0]


def test_approving_sends_one_mail_per_customer_minus_the_holdout_and_never_again(
    runtime: Runtime, handler: Handler
) -> None:
    action_id = cart_proposal(runtime)
    clock, reports = Clock(T0), Reports()
    worker = build_worker(
        runtime.settings, runtime.database, runtime.shop, notifier=reports, clock=clock
    )
    with runtime.database.uow() as uow:
        assert uow.actions.approve(action_id, "U1", T0).ok
        uow.commit()
    assert worker.run_once() == 1
    with runtime.database.uow() as uow:
        targets = uow.actions.targets(action_id)
    held = sum(state is TargetState.HELD_OUT for _, state in targets)
    assert held == round(len(targets) * HOLDOUT)
    recipients = [address for r in handler.received for address in r.recipients]
    assert len(recipients) == len(set(recipients)) == len(targets) - held
    assert reports.items[0].state is ActionState.SUCCEEDED
    with runtime.database.uow() as uow:
        again = uow.actions.approve(action_id, "U2", T0)
        uow.commit()
    assert again.outcome is DecisionOutcome.ALREADY_DECIDED
    clock.advance(timedelta(hours=1))
    restarted = build_worker(runtime.settings, runtime.database, runtime.shop, clock=clock)
    assert restarted.run_once() == 0
    assert len(handler.received) == len(recipients)


def test_smtp_down_fails_the_action_and_says_why(runtime: Runtime) -> None:
    action_id = cart_proposal(runtime)
    settings = runtime.settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    reports = Reports()
    instant = RetryPolicy(sleep=no_sleep)
    worker = build_worker(
        settings, runtime.database, runtime.shop, notifier=reports, clock=Clock(T0), retry=instant
    )
    with runtime.database.uow() as uow:
        assert uow.actions.approve(action_id, "U1", T0).ok
        uow.commit()
    worker.run_once()
    assert reports.items[0].state is ActionState.FAILED
    assert (reports.items[0].error or "").startswith("SMTP server unreachable")
