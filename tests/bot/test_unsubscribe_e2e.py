"""End to end: a real e-mail's List-Unsubscribe, clicked over HTTP, stops the next send."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from engine.execution_ports import Executor
from engine.executors.registry import smtp_executor
from engine.executors.retry import RetryPolicy
from engine.model import ActionKind, TargetState
from engine.settings import load_settings
from engine.store import Database
from engine.worker import Worker, WorkerConfig
from tests.bot.unsubscribe_support import ONE_CLICK, fetch, unsubscribe_server
from tests.engine.executors.smtp_server import Handler, smtp_server
from tests.engine.executors.support import Clock, Reports, approved, candidate_with


@pytest.fixture
def base(database: Database) -> Iterator[str]:
    """The unsubscribe route beside /healthz on a free port (what INCOME_PUBLIC_URL names)."""
    with unsubscribe_server(database) as url:
        yield url


def test_a_one_click_unsubscribe_makes_the_next_action_skip_the_address(
    database: Database, base: str
) -> None:
    handler = Handler()
    with smtp_server(handler) as port:
        environment = {
            "SMTP_URL": f"smtp://127.0.0.1:{port}",
            "INCOME_EMAIL_FROM": "shop@example.com",
            "INCOME_PUBLIC_URL": base,
        }
        smtp = smtp_executor(load_settings(environment, dotenv=None), RetryPolicy(max_delay=1.0))
        executors: dict[ActionKind, Executor] = {ActionKind.CART_RECOVERY_EMAIL: smtp}
        clock = Clock()
        config = WorkerConfig(holdout=0.0, owner="w1")
        worker = Worker(database.uow, executors, Reports(), config=config, clock=clock)

        first = approved(database, candidate_with(2))
        assert worker.run_once() == 1
        (mail,) = handler.to("c0@example.com")
        found = re.search(r"<(http[^>]+)>", mail["List-Unsubscribe"])
        assert found is not None
        url = found.group(1)
        assert url.startswith(f"{base}/unsubscribe?a={first}&t=")
        assert fetch(url)[0] == 200  # a link scanner's GET unsubscribes nobody
        with database.uow() as uow:
            assert uow.suppressions.among(["c0@example.com"]) == set()
        status, page = fetch(url, data=ONE_CLICK)  # the mail client's RFC 8058 POST
        assert (status, "You are unsubscribed" in page) == (200, True)

        clock.advance(timedelta(hours=1))
        second = approved(database, candidate_with(2), now=clock.now)
        assert worker.run_once() == 1
    assert len(handler.to("c0@example.com")) == 1
    assert len(handler.to("c1@example.com")) == 2
    with database.uow() as uow:
        records = {r.target.key: r for r in uow.executions.targets(second)}
    assert (records["cart:0"].state, records["cart:0"].detail) == (TargetState.FAILED, "suppressed")
    assert records["cart:1"].state is TargetState.SENT
