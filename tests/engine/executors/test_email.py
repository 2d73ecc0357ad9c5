"""The SMTP executor against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from engine.execution_ports import ExecutionJob, Executor, TargetResult
from engine.execution_report import load_report
from engine.executors.email import SmtpEmailExecutor, SmtpServer, send_test
from engine.executors.keys import idempotency_key, message_id
from engine.executors.retry import RetryPolicy
from engine.model import ActionKind, ActionState, Target, TargetState
from engine.store import Database
from engine.worker import Worker, WorkerConfig
from tests.conftest import T0
from tests.engine.executors.smtp_server import Handler, free_port, self_signed, smtp_server
from tests.engine.executors.support import Clock, Reports, approved, candidate_with, target_states

BODY = "Hi {first_name}, your cart: {cart_link}\n\nUnsubscribe: {unsubscribe_link}"
JOB = ExecutionJob(
    action_id="aexample01",
    kind=ActionKind.CART_RECOVERY_EMAIL,
    variant="no_discount",
    subject="Your cart is waiting",
    body=BODY,
    params=(),
    at=T0,
)


class Sleeps:
    """An instant sleep that remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        """Record the wait."""
        self.waits.append(seconds)


def executor(port: int, sleeps: Sleeps | None = None, *, reuse: bool = True) -> SmtpEmailExecutor:
    """An SMTP executor for the local server with instant, recorded retries."""
    retry = RetryPolicy(max_delay=5.0, sleep=sleeps or Sleeps())
    server = SmtpServer("127.0.0.1", port)
    return SmtpEmailExecutor(server, "shop@example.com", retry=retry, reuse=reuse)


def targets(*emails: str) -> list[Target]:
    """One cart target per address."""
    return [Target(f"cart:{i}", str(i), email, 100, str(i)) for i, email in enumerate(emails)]


def send(smtp: SmtpEmailExecutor, recipients: list[Target]) -> list[TargetResult]:
    """Send JOB to the recipients in one session."""
    delivery = smtp.open(JOB)
    try:
        return delivery.send(
            recipients, [idempotency_key(JOB.action_id, t.key) for t in recipients]
        )
    finally:
        delivery.close()


@pytest.fixture
def handler() -> Handler:
    """A fresh recording handler."""
    return Handler()


@pytest.fixture
def port(handler: Handler) -> Iterator[int]:
    """A local SMTP server's port."""
    with smtp_server(handler) as port:
        yield port


def test_one_connection_serves_every_recipient_with_derived_headers(
    handler: Handler, port: int
) -> None:
    results = send(executor(port), targets("a@example.org", "b@example.org", "c@example.org"))
    assert [r.state for r in results] == [TargetState.SENT] * 3
    assert len({r.peer for r in handler.received}) == 1
    message = handler.to("b@example.org")[0]
    assert message["Message-ID"] == message_id(JOB.action_id, "b@example.org", "example.com")
    assert "unsubscribe" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Hi there" in body
    assert "https://example.com/cart/1?a=aexample01" in body
    assert "{" not in body


def test_without_reuse_each_message_has_its_own_connection(handler: Handler, port: int) -> None:
    send(executor(port, reuse=False), targets("a@example.org", "b@example.org"))
    assert len({r.peer for r in handler.received}) == 2


def test_a_refused_recipient_fails_as_a_bounce_and_others_go_on(
    handler: Handler, port: int
) -> None:
    handler.refuse.add("gone@example.org")
    results = send(executor(port), targets("gone@example.org", "ok@example.org"))
    assert results[0].state is TargetState.FAILED
    assert results[0].bounced
    assert results[1].state is TargetState.SENT


def test_a_deferred_recipient_is_retried_and_sent(handler: Handler, port: int) -> None:
    handler.defer.add("slow@example.org")
    sleeps = Sleeps()
    results = send(executor(port, sleeps), targets("slow@example.org"))
    assert results[0].state is TargetState.SENT
    assert len(sleeps.waits) == 1
    assert len(handler.to("slow@example.org")) == 1


def test_smtp_down_is_retried_then_every_target_fails_with_the_reason() -> None:
    sleeps = Sleeps()
    results = send(executor(free_port(), sleeps), targets("a@example.org", "b@example.org"))
    assert [r.state for r in results] == [TargetState.FAILED] * 2
    assert results[0].detail.startswith("SMTP server unreachable")
    assert 1 <= len(sleeps.waits) < 6
    assert sum(sleeps.waits) <= 5.0 + 1e-9


def test_a_connection_lost_after_the_data_makes_the_target_unknown(
    handler: Handler, port: int
) -> None:
    handler.drop.add("lost@example.org")
    results = send(executor(port), targets("lost@example.org", "next@example.org"))
    assert results[0].state is TargetState.UNKNOWN
    assert results[1].state is TargetState.SENT
    assert len(handler.to("lost@example.org")) == 1


def test_starttls_is_used_when_offered_and_login_follows(tmp_path: Path, handler: Handler) -> None:
    certificate = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    with smtp_server(handler, certificate) as port:
        server = SmtpServer.from_url(f"smtp://shop:s3cret@127.0.0.1:{port}")
        smtp = SmtpEmailExecutor(server, "shop@example.com", tls=trust)
        results = send(smtp, targets("a@example.org"))
    assert results[0].state is TargetState.SENT
    assert handler.received[0].tls
    assert "s3cret" not in repr(server)


def test_worker_suppresses_bounces_and_never_resends_an_unknown_target(
    database: Database, handler: Handler, port: int
) -> None:
    handler.refuse.add("c0@example.com")
    handler.drop.add("c1@example.com")
    clock, reports = Clock(), Reports()
    executors: dict[ActionKind, Executor] = {ActionKind.CART_RECOVERY_EMAIL: executor(port)}
    config = WorkerConfig(holdout=0.0, owner="w1")
    worker = Worker(database.uow, executors, reports, config=config, clock=clock)
    action_id = approved(database, candidate_with(3))
    assert worker.run_once() == 1
    states = target_states(database, action_id)
    assert states == {
        "cart:0": TargetState.FAILED,
        "cart:1": TargetState.UNKNOWN,
        "cart:2": TargetState.SENT,
    }
    assert reports.items[0].state is ActionState.UNKNOWN
    with database.uow() as uow:
        assert uow.suppressions.among(["c0@example.com"]) == {"c0@example.com"}
    clock.advance(timedelta(hours=1))
    assert worker.run_once() == 0
    assert len(handler.to("c1@example.com")) == 1


def test_send_me_a_test_goes_to_the_approver_alone(handler: Handler, port: int) -> None:
    result = send_test(executor(port), JOB, targets("customer@example.org")[0], "me@example.com")
    assert result.state is TargetState.SENT
    assert [r.recipients for r in handler.received] == [["me@example.com"]]
    assert handler.received[0].message["Subject"] == "[Test] Your cart is waiting"


def test_load_report_shows_counts_while_pending_and_after(
    database: Database, handler: Handler, port: int
) -> None:
    executors: dict[ActionKind, Executor] = {ActionKind.CART_RECOVERY_EMAIL: executor(port)}
    config = WorkerConfig(holdout=0.0, owner="w1")
    worker = Worker(database.uow, executors, Reports(), config=config, clock=Clock())
    action_id = approved(database, candidate_with(2))
    with database.uow() as uow:
        pending = load_report(uow, action_id)
    assert pending is not None
    assert (pending.state, pending.count(TargetState.PENDING)) == (ActionState.APPROVED, 2)
    worker.run_once()
    with database.uow() as uow:
        done = load_report(uow, action_id)
    assert done is not None
    assert (done.state, done.count(TargetState.SENT)) == (ActionState.SUCCEEDED, 2)
