"""Which executor runs each kind, from the settings."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine

from engine.demo import DemoShop
from engine.executors.demo import DemoShopExecutor, TeeToDemoShop
from engine.executors.email import SmtpEmailExecutor
from engine.executors.payments import StripePaymentExecutor
from engine.executors.registry import build_executors
from engine.executors.webhook import WebhookExecutor
from engine.model import ActionKind
from engine.settings import ConfigError, load_settings


@pytest.fixture
def shop(tmp_path: Path) -> DemoShop:
    """A demo shop handle (never started)."""
    return DemoShop(create_engine(f"sqlite:///{tmp_path / 'shop.db'}"), timezone=ZoneInfo("UTC"))


def test_without_configuration_the_demo_shop_receives_emails_and_retries(shop: DemoShop) -> None:
    executors = build_executors(load_settings({}, dotenv=None), shop)
    assert isinstance(executors[ActionKind.CART_RECOVERY_EMAIL], DemoShopExecutor)
    assert isinstance(executors[ActionKind.PAYMENT_RETRY], DemoShopExecutor)
    assert ActionKind.PRICE_TEST not in executors


def test_configured_providers_take_over(shop: DemoShop) -> None:
    env = {
        "SMTP_URL": "smtp://u:p@127.0.0.1:2525",
        "INCOME_EMAIL_FROM": "shop@example.com",
        "INCOME_WEBHOOK_URL": "http://127.0.0.1:9/hook",
        "INCOME_WEBHOOK_SECRET": "s",
        "STRIPE_API_KEY": "sk_test_x",
    }
    executors = build_executors(load_settings({**env, "INCOME_SOURCE": "demo"}, dotenv=None), shop)
    tee = executors[ActionKind.WINBACK_EMAIL]  # real mail, and the demo shop still reacts
    assert isinstance(tee, TeeToDemoShop)
    assert isinstance(tee.inner, SmtpEmailExecutor)
    assert tee.idempotent is False
    assert isinstance(executors[ActionKind.PAYMENT_RETRY], StripePaymentExecutor)
    assert isinstance(executors[ActionKind.PRICE_TEST], WebhookExecutor)


def test_smtp_without_a_sender_is_a_configuration_error(shop: DemoShop) -> None:
    settings = load_settings({"SMTP_URL": "smtp://127.0.0.1:2525"}, dotenv=None)
    with pytest.raises(ConfigError, match="INCOME_EMAIL_FROM"):
        build_executors(settings, shop)
