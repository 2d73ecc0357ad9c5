"""The card's "Send me a test": the clicker's own address from Slack, then `send_test_email`."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.blocks import escape
from bot.send_cooldown import COOLDOWN_SECONDS
from bot.send_test import SendTestError, send_test_email
from bot.slack_service import SlackService
from engine.logs import event

log = logging.getLogger("income.slack")
EMAIL_SCOPE = "users:read.email"


def not_allowed(user: str) -> str:
    """Why a non-approver's click sent nothing."""
    return (
        f"Sorry <@{user}>, only the approvers in INCOME_APPROVERS can send themselves a test of "
        "a proposal; nothing was sent."
    )


def send_me_a_test(service: SlackService, action_id: str, user: str) -> str:
    """Mail the proposal's test to the clicking approver alone; what to tell them."""
    if not service.is_approver(user):
        return not_allowed(user)
    since = service.test_cooldown.claim(action_id, user)
    if since is not None:
        return (
            f"A test of `{action_id}` went to you {since:.0f} s ago; not sent again. "
            f"Another can go after {COOLDOWN_SECONDS:.0f} s."
        )
    try:
        address = user_email(service, user)
        send_test_email(service.runtime, action_id, address)
    except SendTestError as error:
        service.test_cooldown.release(action_id, user)
        event(log, "send_test_refused", action=action_id, user=user, reason=str(error))
        return f"No test sent: {escape(str(error))}"
    event(log, "send_test_sent", action=action_id, user=user)
    return (
        f"Test sent to {escape(address)}: the exact e-mail of `{action_id}`, filled for its "
        "first recipient, with [Test] in the subject. Nothing was recorded; it is still pending."
    )


def user_email(service: SlackService, user: str) -> str:
    """The e-mail address on `user`'s Slack profile; SendTestError saying why it is hidden."""
    try:
        response = service.client.users_info(user=user)
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code == "missing_scope":
            needed = str(error.response.get("needed") or EMAIL_SCOPE)
            raise SendTestError(_lacks(needed)) from None
        raise SendTestError(f"Slack would not tell me who you are ({code})") from None
    profile = (response.get("user") or {}).get("profile") or {}
    address = str(profile.get("email") or "").strip()
    if address:
        return address
    granted = str(response.headers.get("x-oauth-scopes", ""))
    if EMAIL_SCOPE not in {scope.strip() for scope in granted.split(",")}:
        raise SendTestError(_lacks(EMAIL_SCOPE))
    raise SendTestError("your Slack profile has no e-mail address I can see")


def _lacks(scope: str) -> str:
    return (
        f"I can't see your e-mail address: the app lacks {scope} (add users:read and "
        f"{EMAIL_SCOPE} to its bot scopes, reinstall it, then run `income check`)"
    )
