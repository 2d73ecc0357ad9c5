"""Which executor carries out each action kind, built from `Settings`."""

from __future__ import annotations

from slack_sdk import WebClient

from engine.actions import capabilities_for
from engine.demo.shop import DemoShop
from engine.drafting.base import EMAIL_KINDS
from engine.execution_ports import Executor
from engine.executors.demo import DemoShopExecutor, TeeToDemoShop
from engine.executors.email import SmtpEmailExecutor, SmtpServer
from engine.executors.payments import StripePaymentExecutor
from engine.executors.retry import RetryPolicy
from engine.executors.slack_post import SlackPostExecutor
from engine.executors.webhook import WebhookExecutor
from engine.model import ActionKind
from engine.settings import ConfigError, Settings


def smtp_executor(settings: Settings, retry: RetryPolicy) -> SmtpEmailExecutor:
    """The SMTP executor of SMTP_URL; ConfigError when it or INCOME_EMAIL_FROM is unusable."""
    if not settings.smtp_url:
        raise ConfigError("SMTP_URL must be set to send real e-mail")
    if not settings.email_from:
        raise ConfigError("INCOME_EMAIL_FROM must be set when SMTP_URL is set")
    try:
        server = SmtpServer.from_url(settings.smtp_url)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    return SmtpEmailExecutor(
        server, settings.email_from, public_url=settings.public_url, retry=retry
    )


def email_executor(settings: Settings, shop: DemoShop, retry: RetryPolicy) -> Executor:
    """SMTP when SMTP_URL is set; otherwise the demo shop receives the e-mails."""
    if not settings.smtp_url:
        return DemoShopExecutor(shop)
    smtp = smtp_executor(settings, retry)
    # a demo business gets real mail and the shop still reacts, so lift stays measurable
    return TeeToDemoShop(smtp, shop) if settings.source == "demo" else smtp


def build_executors(
    settings: Settings,
    shop: DemoShop,
    retry: RetryPolicy | None = None,
    slack: WebClient | None = None,
) -> dict[ActionKind, Executor]:
    """The executor of every runnable kind in this deployment (`slack`: the bot's client)."""
    policy = retry or RetryPolicy()
    email = email_executor(settings, shop, policy)
    executors: dict[ActionKind, Executor] = dict.fromkeys(EMAIL_KINDS, email)
    if settings.stripe_api_key is not None:
        executors[ActionKind.PAYMENT_RETRY] = StripePaymentExecutor(
            settings.stripe_api_key, settings.stripe_api_base
        )
    elif settings.source == "demo":
        executors[ActionKind.PAYMENT_RETRY] = DemoShopExecutor(shop)
    if settings.webhook_url and settings.webhook_secret:
        hook = WebhookExecutor(settings.webhook_url, settings.webhook_secret, retry=policy)
        kinds = capabilities_for(email=False, payments=False, webhook=True, slack=False).runnable
        executors.update(dict.fromkeys(kinds, hook))
    if slack is not None and settings.channel:
        # a draft for a human to publish belongs in the channel even when a webhook is set
        executors[ActionKind.SOCIAL_POST] = SlackPostExecutor(slack, settings.channel)
    return executors
