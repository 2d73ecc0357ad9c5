"""Build the Slack side of the process from `Settings`: the Web API client and the Bolt app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from engine.settings import ConfigError, Settings

if TYPE_CHECKING:
    from bot.slack_service import SlackService

RATE_LIMIT_RETRIES = 3
CONNECTION_RETRIES = 2


def slack_configured(settings: Settings) -> bool:
    """True when the bot token is set (HTTP mode also needs the signing secret)."""
    return settings.slack_bot_token is not None


def build_client(settings: Settings) -> WebClient:
    """A WebClient on `SLACK_API_URL` whose retry handlers are the only Slack retry layer."""
    if settings.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN must be set to talk to Slack")
    base_url = settings.slack_api_url
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        ],
    )


def build_app(settings: Settings, client: WebClient, service: SlackService) -> App:
    """The Bolt app: verified requests, every listener registered, acks before slow work."""
    from bot.listeners import register_all  # noqa: PLC0415 - listeners import this module's peers

    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        raise ConfigError("SLACK_SIGNING_SECRET must be set when SLACK_BOT_TOKEN is set")
    try:
        app = App(
            client=client,
            signing_secret=settings.slack_signing_secret or "",
            request_verification_enabled=settings.slack_app_token is None,
            process_before_response=False,
            raise_error_for_unhandled_request=False,
        )
    except BoltError:
        raise ConfigError(
            "SLACK_BOT_TOKEN was rejected by Slack's auth.test; run `income check`"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"SLACK_API_URL {settings.slack_api_url} is unreachable ({type(error).__name__})"
        ) from None
    register_all(app, service)
    return app
