"""The webhook executor against a local HTTP receiver that deduplicates on Idempotency-Key."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.execution_ports import ExecutionJob, TargetResult
from engine.executors.keys import idempotency_key
from engine.executors.retry import RetryPolicy
from engine.executors.webhook import SIGNATURE_HEADER, WebhookExecutor
from engine.model import ActionKind, Target, TargetState
from tests.conftest import T0
from tests.engine.executors.smtp_server import free_port

SECRET = "whsec-test"
JOB = ExecutionJob("aweb000001", ActionKind.PRICE_TEST, "up_5", "Price test", "Raise X", (), T0)


class Receiver(ThreadingHTTPServer):
    """Scripted replies first, then 200; effects applied once per Idempotency-Key."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[tuple[int, dict[str, str], float]] = []  # status, headers, delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.effects: dict[str, Any] = {}
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.requests.append((dict(self.headers), body))
            status, headers, delay = (
                self.server.script.pop(0) if self.server.script else (200, {}, 0.0)
            )
            if status == 200:
                self.server.effects.setdefault(self.headers["Idempotency-Key"], json.loads(body))
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the override
        del format, args


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver serving in a thread."""
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def post(url: str, sleeps: list[float], count: int = 1, timeout: float = 5.0) -> list[TargetResult]:
    """Send JOB to `count` product targets through a fresh executor."""
    retry = RetryPolicy(max_delay=10.0, sleep=sleeps.append)
    delivery = WebhookExecutor(url, SECRET, timeout=timeout, retry=retry).open(JOB)
    targets = [Target(f"product:{i}", ref=str(i)) for i in range(count)]
    try:
        return delivery.send(targets, [idempotency_key(JOB.action_id, t.key) for t in targets])
    finally:
        delivery.close()


def url_of(server: Receiver) -> str:
    """The receiver's URL."""
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def test_each_target_is_posted_signed_with_its_idempotency_key(receiver: Receiver) -> None:
    results = post(url_of(receiver), [], count=2)
    assert [r.state for r in results] == [TargetState.SENT] * 2
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected
    assert headers["Idempotency-Key"] == idempotency_key(JOB.action_id, "product:0")
    assert json.loads(body)["target"]["key"] == "product:0"


def test_429_with_retry_after_is_honoured_then_sent_once(receiver: Receiver) -> None:
    receiver.script = [(429, {"Retry-After": "3"}, 0.0), (503, {}, 0.0)]
    sleeps: list[float] = []
    results = post(url_of(receiver), sleeps)
    assert results[0].state is TargetState.SENT
    assert sleeps[0] == 3.0
    assert len(sleeps) == 2
    assert len(receiver.effects) == 1


def test_a_timed_out_request_is_retried_and_the_receiver_applies_it_once(
    receiver: Receiver,
) -> None:
    receiver.script = [(200, {}, 0.6)]  # applied, but the reply comes too late
    results = post(url_of(receiver), [], timeout=0.2)
    assert results[0].state is TargetState.SENT
    assert len(receiver.requests) == 2
    assert len(receiver.effects) == 1


def test_a_client_error_is_not_retried(receiver: Receiver) -> None:
    receiver.script = [(400, {}, 0.0)]
    sleeps: list[float] = []
    results = post(url_of(receiver), sleeps)
    assert results[0].state is TargetState.FAILED
    assert results[0].detail == "HTTP 400"
    assert sleeps == []


def test_persistent_5xx_gives_up_within_the_bound(receiver: Receiver) -> None:
    receiver.script = [(500, {}, 0.0)] * 20
    sleeps: list[float] = []
    results = post(url_of(receiver), sleeps)
    assert results[0].state is TargetState.FAILED
    assert "gave up" in results[0].detail
    assert sum(sleeps) <= 10.0 + 1e-9


def test_nobody_listening_is_retried_then_failed() -> None:
    sleeps: list[float] = []
    results = post(f"http://127.0.0.1:{free_port()}/hook", sleeps)
    assert results[0].state is TargetState.FAILED
    assert sleeps
