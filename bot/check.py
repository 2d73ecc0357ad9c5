"""`income check`: is the Slack side set up? Token, scopes, channel membership, people."""

from __future__ import annotations

from collections.abc import Iterator

from slack_sdk.errors import SlackApiError

from bot.app import build_client
from engine.settings import Settings

REQUIRED_SCOPES = (
    "chat:write",
    "commands",
    "im:write",
    "files:write",
    "channels:read",
    "users:read",
    "users:read.email",
)


def check_slack(settings: Settings) -> Iterator[tuple[bool, str]]:
    """(ok, line) for each check, in the order a new user fixes them."""
    if settings.slack_bot_token is None:
        yield False, "SLACK_BOT_TOKEN is not set (see docs/slack.md)"
        return
    client = build_client(settings)
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        yield False, f"token rejected by Slack: {error.response.get('error')}"
        return
    yield True, f"token valid: bot {auth.get('user')} in team {auth.get('team')}"
    granted = {s.strip() for s in str(auth.headers.get("x-oauth-scopes", "")).split(",")}
    missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
    yield (
        not missing,
        "scopes: " + ("all granted" if not missing else "missing " + ", ".join(missing)),
    )
    yield from _channel(client, settings.channel)
    yield bool(settings.approvers), f"INCOME_APPROVERS: {len(settings.approvers)} user(s)"
    yield bool(settings.oncall), f"INCOME_ONCALL: {len(settings.oncall)} user(s)"
    secret = settings.slack_signing_secret or settings.slack_app_token
    yield secret is not None, "SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) is set"


def _channel(client: object, channel: str | None) -> Iterator[tuple[bool, str]]:
    if channel is None:
        yield False, "INCOME_CHANNEL is not set"
        return
    try:
        info = client.conversations_info(channel=channel)  # type: ignore[attr-defined]
    except SlackApiError as error:
        yield False, f"INCOME_CHANNEL {channel}: {error.response.get('error')}"
        return
    member = bool(info["channel"].get("is_member"))
    hint = "" if member else " (not_in_channel: type /invite @Income Engine in it)"
    yield member, f"bot is a member of {channel}{hint}"
