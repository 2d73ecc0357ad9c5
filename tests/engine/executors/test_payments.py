"""Payment retries through the official Stripe SDK against a local Stripe-shaped server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engine.execution_ports import ExecutionJob, TargetResult
from engine.executors.keys import idempotency_key
from engine.executors.payments import StripePaymentExecutor
from engine.model import ActionKind, Target, TargetState
from tests.conftest import T0

JOB = ExecutionJob("apay000001", ActionKind.PAYMENT_RETRY, "retry", "Retry", "", (), T0)


class StripeShaped(ThreadingHTTPServer):
    """Answers invoice pays and intent confirms; replays the first answer per Idempotency-Key."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.declines: dict[str, str] = {}  # object id -> decline code
        self.flaky: set[str] = set()  # ids answered 500 once
        self.replies: dict[str, tuple[int, bytes]] = {}
        self.requests: list[tuple[str, str]] = []  # path, idempotency key
        self.charges: list[str] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: StripeShaped

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key", "")
        parts = self.path.strip("/").split("/")  # v1, invoices|payment_intents, id, verb
        with self.server.lock:
            self.server.requests.append((self.path, key))
            status, body = self.server.replies.get(key) or self._answer(parts[1], parts[2])
            if status != 500:
                self.server.replies.setdefault(key, (status, body))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, collection: str, object_id: str) -> tuple[int, bytes]:
        if object_id in self.server.flaky:
            self.server.flaky.discard(object_id)
            return 500, json.dumps({"error": {"type": "api_error", "message": "boom"}}).encode()
        if object_id in self.server.declines:
            error = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": self.server.declines[object_id],
                "message": "Your card was declined.",
            }
            return 402, json.dumps({"error": error}).encode()
        self.server.charges.append(object_id)
        kind, status = (
            ("invoice", "paid") if collection == "invoices" else ("payment_intent", "succeeded")
        )
        return 200, json.dumps({"id": object_id, "object": kind, "status": status}).encode()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the override
        del format, args


@pytest.fixture
def server() -> Iterator[StripeShaped]:
    """The local Stripe-shaped server, serving in a thread."""
    stripe_like = StripeShaped()
    thread = threading.Thread(target=stripe_like.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield stripe_like
    finally:
        stripe_like.shutdown()
        stripe_like.server_close()


def retry(server: StripeShaped, *refs: str) -> list[TargetResult]:
    """Run the executor over one target per ref."""
    base = f"http://127.0.0.1:{server.server_address[1]}"
    executor = StripePaymentExecutor("sk_test_local", base, network_retries=2)
    targets = [Target(f"payment:{ref}", ref=ref) for ref in refs]
    delivery = executor.open(JOB)
    return delivery.send(targets, [idempotency_key(JOB.action_id, t.key) for t in targets])


def test_invoices_are_paid_and_intents_confirmed_with_our_key(server: StripeShaped) -> None:
    results = retry(server, "in_1", "pi_2")
    assert [r.state for r in results] == [TargetState.SENT, TargetState.SENT]
    assert server.requests[0] == (
        "/v1/invoices/in_1/pay",
        idempotency_key(JOB.action_id, "payment:in_1"),
    )
    assert server.requests[1][0] == "/v1/payment_intents/pi_2/confirm"


def test_a_replay_with_the_same_key_charges_once(server: StripeShaped) -> None:
    retry(server, "in_1")
    again = retry(server, "in_1")
    assert again[0].state is TargetState.SENT
    assert server.charges == ["in_1"]


def test_the_sdk_retries_a_5xx_with_the_same_key(server: StripeShaped) -> None:
    server.flaky.add("in_9")
    results = retry(server, "in_9")
    assert results[0].state is TargetState.SENT
    keys = [key for path, key in server.requests if "in_9" in path]
    assert len(keys) == 2
    assert len(set(keys)) == 1


def test_a_hard_decline_fails_at_once_and_is_never_retried(server: StripeShaped) -> None:
    server.declines = {"in_h": "stolen_card", "in_s": "insufficient_funds"}
    results = retry(server, "in_h", "in_s")
    assert results[0].detail == "hard decline: stolen_card"
    assert results[1].detail == "soft decline: insufficient_funds"
    assert {r.state for r in results} == {TargetState.FAILED}
    assert len(server.requests) == 2


def test_a_ref_that_is_neither_invoice_nor_intent_fails_without_a_request(
    server: StripeShaped,
) -> None:
    results = retry(server, "12345")
    assert results[0].state is TargetState.FAILED
    assert server.requests == []
