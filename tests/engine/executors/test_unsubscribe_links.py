"""Unsubscribe links in built messages: INCOME_PUBLIC_URL when set, else the shop's site."""

from __future__ import annotations

from engine.execution_ports import ExecutionJob
from engine.executors.message import Sender, build_message, token
from engine.executors.registry import smtp_executor
from engine.executors.retry import RetryPolicy
from engine.model import ActionKind, Target
from engine.settings import load_settings
from tests.conftest import T0

JOB = ExecutionJob(
    action_id="aexample01",
    kind=ActionKind.CART_RECOVERY_EMAIL,
    variant="no_discount",
    subject="Your cart is waiting",
    body="Your cart: {cart_link}\n\nUnsubscribe: {unsubscribe_link}",
    params=(),
    at=T0,
)
TARGET = Target("cart:1", "u1", "Ana@Example.org", 100, "c1")


def test_links_point_at_income_serve_when_a_public_url_is_set() -> None:
    settings = load_settings(
        {
            "SMTP_URL": "smtp://127.0.0.1:2525",
            "INCOME_EMAIL_FROM": "shop@example.com",
            "INCOME_PUBLIC_URL": "https://income.example.net/",
        },
        dotenv=None,
    )
    executor = smtp_executor(settings, RetryPolicy())
    assert executor.public_url == "https://income.example.net"
    sender = Sender("shop@example.com", "https://shop.example.com", executor.public_url)
    message = build_message(sender, JOB, TARGET, "Ana@Example.org")
    mark = token("aexample01", "ana@example.org")
    url = f"https://income.example.net/unsubscribe?a=aexample01&t={mark}"
    assert message["List-Unsubscribe"] == (
        f"<{url}>, <mailto:shop@example.com?subject=unsubscribe%20aexample01%20{mark}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"Unsubscribe: {url}" in body
    assert "https://shop.example.com/cart/c1?a=aexample01" in body  # the shop's links stay
    assert "ana@" not in message["List-Unsubscribe"].lower().split("mailto:")[0]


def test_without_a_public_url_the_link_stays_on_the_shop_site_with_the_action() -> None:
    message = build_message(
        Sender("shop@example.com", "https://shop.example.com/"), JOB, TARGET, "ana@example.org"
    )
    mark = token("aexample01", "ana@example.org")
    assert message["List-Unsubscribe"].startswith(
        f"<https://shop.example.com/unsubscribe?a=aexample01&t={mark}>, <mailto:"
    )
