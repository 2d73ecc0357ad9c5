"""One e-mail's greeting: {first_name} from the target's name, safe in the body and the headers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message

import pytest

from engine.executors.email import SmtpEmailExecutor, SmtpServer, send_test
from engine.executors.keys import idempotency_key
from engine.executors.message import Sender, build_message, links
from engine.executors.retry import RetryPolicy, no_sleep
from engine.model import Target, TargetState
from tests.engine.executors.smtp_server import Handler, smtp_server
from tests.engine.executors.test_email import JOB

SENDER = Sender("shop@example.com", "https://shop.example")
GREETING = replace(JOB, subject="{first_name}, your cart is waiting")
INJECTION = "Cy\r\nBcc: evil@example.com\r\n\r\nforged body"


def target(name: str | None, email: str = "a@example.org") -> Target:
    """A cart target with a display name."""
    return Target("cart:1", "1", email, 100, "1", name)


def body(message: Message) -> str:
    """The decoded text body."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def subject(message: Message) -> str:
    """The decoded Subject header."""
    return str(make_header(decode_header(str(message["Subject"]))))


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("Ana María López", "Ana"),
        ("  bo  ", "bo"),
        (None, "there"),
        ("", "there"),
        ("  \r\n\t", "there"),
        ("\x00\x1b", "there"),
        (INJECTION, "Cy"),
        ("{cart_link}", "{cart_link}"),
    ],
)
def test_first_name_is_the_targets_first_name_or_there(name: str | None, greeting: str) -> None:
    assert links(SENDER, JOB, target(name), "a@example.org")["first_name"] == greeting


def test_the_body_greets_by_first_name_and_a_name_is_never_expanded() -> None:
    assert "Hi Ana, your cart:" in body(build_message(SENDER, JOB, target("Ana Lee"), "a@x.org"))
    sent = body(build_message(SENDER, JOB, target("{unsubscribe_link}"), "a@x.org"))
    assert sent.startswith("Hi {unsubscribe_link}, your cart:")


def _header_names(message: Message) -> list[str]:
    return sorted(name.lower() for name in message_from_bytes(message.as_bytes()))


def test_a_name_with_line_breaks_adds_no_header_and_no_body_line() -> None:
    plain = build_message(SENDER, GREETING, target(None), "a@example.org")
    forged = build_message(SENDER, GREETING, target(INJECTION), "a@example.org")
    parsed = message_from_bytes(forged.as_bytes())
    assert _header_names(forged) == _header_names(plain)
    assert parsed["Bcc"] is None
    assert subject(parsed) == "Cy, your cart is waiting"
    assert body(parsed).startswith("Hi Cy, your cart:")
    assert "evil" not in forged.as_string()
    assert "forged body" not in forged.as_string()


def test_a_non_ascii_name_in_the_subject_is_encoded() -> None:
    message = build_message(SENDER, GREETING, target("Zoë Ångström"), "a@example.org")
    raw = message.as_bytes()
    assert raw.isascii()
    parsed = message_from_bytes(raw)
    assert subject(parsed) == "Zoë, your cart is waiting"
    assert body(parsed).startswith("Hi Zoë, your cart:")


@pytest.fixture
def handler() -> Handler:
    """A fresh recording handler."""
    return Handler()


@pytest.fixture
def smtp(handler: Handler) -> Iterator[SmtpEmailExecutor]:
    """An SMTP executor for a local aiosmtpd server."""
    with smtp_server(handler) as port:
        server = SmtpServer("127.0.0.1", port)
        yield SmtpEmailExecutor(server, "shop@example.com", retry=RetryPolicy(sleep=no_sleep))


def test_delivered_mail_greets_each_customer_by_first_name(
    smtp: SmtpEmailExecutor, handler: Handler
) -> None:
    recipients = [
        replace(target("Ana María", "ana@example.org"), key="cart:a"),
        replace(target(None, "bo@example.org"), key="cart:b"),
        replace(target(INJECTION, "cy@example.org"), key="cart:c"),
    ]
    delivery = smtp.open(GREETING)
    try:
        keys = [idempotency_key(GREETING.action_id, t.key) for t in recipients]
        results = delivery.send(recipients, keys)
    finally:
        delivery.close()
    assert [r.state for r in results] == [TargetState.SENT] * 3
    assert [r.recipients for r in handler.received] == [
        ["ana@example.org"],
        ["bo@example.org"],
        ["cy@example.org"],
    ]
    greeted = {r.recipients[0]: (subject(r.message), body(r.message)) for r in handler.received}
    assert greeted["ana@example.org"][0] == "Ana, your cart is waiting"
    assert greeted["ana@example.org"][1].startswith("Hi Ana, your cart:")
    assert greeted["bo@example.org"][1].startswith("Hi there, your cart:")
    assert greeted["cy@example.org"][1].startswith("Hi Cy, your cart:")
    assert handler.received[2].message["Bcc"] is None


def test_send_me_a_test_greets_as_the_sample_customer_would_be(
    smtp: SmtpEmailExecutor, handler: Handler
) -> None:
    result = send_test(smtp, JOB, target("Ana Lee", "ana@example.org"), "me@example.com")
    assert result.state is TargetState.SENT
    [received] = handler.received
    assert received.recipients == ["me@example.com"]
    assert body(received.message).startswith("Hi Ana, your cart:")
