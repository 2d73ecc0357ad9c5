"""A demo customer's name, from the shop through proposal and store to the delivered mail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.bootstrap import Runtime, build_runtime
from engine.cycle import run_cycle
from engine.demo import tables
from engine.model import ActionKind, ActionState, TargetState
from engine.settings import load_settings
from engine.worker import build_worker
from tests.conftest import T0
from tests.engine.executors.smtp_server import Handler, smtp_server
from tests.engine.executors.support import Clock, Reports


def _runtime(tmp_path: Path, smtp_url: str | None) -> Runtime:
    """A cart-abandonment demo shop cycled once; e-mail by SMTP when `smtp_url` is given."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'income.db'}",
        "INCOME_HOLDOUT": "0",
        "INCOME_DEMO_SCENARIO": "cart_abandonment",
    }
    if smtp_url:
        env |= {"SMTP_URL": smtp_url, "INCOME_EMAIL_FROM": "shop@example.com"}
    runtime = build_runtime(load_settings(env, dotenv=None))
    runtime.shop.start(scenario="cart_abandonment", seed=7, end=T0, days=7)
    run_cycle(runtime.config, runtime.ports, now=T0, slot="demo:1", trigger="demo")
    return runtime


def _approve_and_run(runtime: Runtime) -> str:
    """Approve the pending cart-recovery proposal and execute it; return its id."""
    with runtime.database.uow() as uow:
        actions = uow.actions.find([ActionState.PROPOSED])
        [action_id, *_] = [
            a.id for a in actions if a.candidate.kind is ActionKind.CART_RECOVERY_EMAIL
        ]
        assert uow.actions.approve(action_id, "U1", T0).ok
        uow.commit()
    reports = Reports()
    worker = build_worker(
        runtime.settings, runtime.database, runtime.shop, notifier=reports, clock=Clock(T0)
    )
    assert worker.run_once() == 1
    assert reports.items[0].state is ActionState.SUCCEEDED
    return action_id


def _shop_names(runtime: Runtime) -> dict[str, str]:
    """The demo shop's customers: e-mail to display name."""
    customers = tables.customers
    with runtime.shop.engine.connect() as connection:
        rows = connection.execute(sa.select(customers.c.email, customers.c.name))
        return {str(email): str(name) for email, name in rows}


@pytest.fixture
def handler() -> Handler:
    """The local SMTP server's recorder."""
    return Handler()


@pytest.fixture
def smtp_runtime(tmp_path: Path, handler: Handler) -> Iterator[Runtime]:
    """A demo runtime whose e-mail goes to a local SMTP server."""
    with smtp_server(handler) as port:
        runtime = _runtime(tmp_path, f"smtp://127.0.0.1:{port}")
        try:
            yield runtime
        finally:
            runtime.database.dispose()


def test_each_delivered_mail_greets_the_customer_by_first_name(
    smtp_runtime: Runtime, handler: Handler
) -> None:
    action_id = _approve_and_run(smtp_runtime)
    names = _shop_names(smtp_runtime)
    with smtp_runtime.database.uow() as uow:
        targets = [target for target, _ in uow.actions.targets(action_id)]
    assert targets
    assert all(t.email and t.name == names[t.email] for t in targets)
    assert len(handler.received) == len(targets)
    for received in handler.received:
        [address] = received.recipients
        payload = received.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        assert payload.decode().startswith(f"Hi {names[address].split()[0]},\n")


def test_the_demo_shop_delivery_path_is_unchanged_by_names(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, None)
    try:
        action_id = _approve_and_run(runtime)
        with runtime.database.uow() as uow:
            targets = uow.actions.targets(action_id)
        deliveries = tables.deliveries
        with runtime.shop.engine.connect() as connection:
            delivered = connection.execute(
                sa.select(deliveries.c.target_key, deliveries.c.customer_id).where(
                    deliveries.c.action_id == action_id
                )
            ).all()
    finally:
        runtime.database.dispose()
    assert all(t.name for t, _ in targets)
    assert all(state is TargetState.SENT for _, state in targets)
    assert sorted(key for key, _ in delivered) == sorted(t.key for t, _ in targets)
    assert {str(customer) for _, customer in delivered} == {t.customer_id for t, _ in targets}
