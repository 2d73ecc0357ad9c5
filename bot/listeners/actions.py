"""Buttons on cards (Approve, Edit, Reject, Cancel, Send me a test) and alerts (Ack, Snooze)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.views import View

from bot import alerts, decide
from bot.cards import (
    APPROVE,
    CANCEL,
    EDIT,
    REJECT,
    SEEN_PREFIX,
    SEND_TEST,
    edit_modal,
    reject_modal,
)
from bot.render import ACKNOWLEDGE, SNOOZE
from bot.send_me_a_test import send_me_a_test
from bot.slack_service import SlackService
from engine.model import Action

log = logging.getLogger("income.slack")


def _clicked(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(value, user, channel) of a button click."""
    value = str(body["actions"][0]["value"])
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    return value, str(body["user"]["id"]), channel


def _tell(service: SlackService, channel: str | None, user: str, text: str | None) -> None:
    if text is None:
        return
    if channel is None:
        alerts.dm(service, [user], decide.text_message(text))
        return
    service.ephemeral(channel, user, text)


Decision = Callable[[SlackService, str, str, str | None], str | None]
Button = Callable[[Ack, dict[str, Any]], None]


def _decision(service: SlackService, run: Decision) -> Button:
    """Approve or Cancel: approvers only; the store decides once, the clicker hears why not."""

    def handler(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action_id, user, channel = _clicked(body)
        if not service.is_approver(user):
            service.later(lambda: _tell(service, channel, user, decide.not_allowed(user)))
            return
        block = str(body["actions"][0].get("block_id", ""))
        seen = block.removeprefix(SEEN_PREFIX) if block.startswith(SEEN_PREFIX) else None
        service.later(lambda: _tell(service, channel, user, run(service, action_id, user, seen)))

    return handler


def _modal(service: SlackService, build: Callable[[Action], View]) -> Button:
    """Edit or Reject: open the modal for approvers; explain to everyone else."""

    def handler(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action_id, user, channel = _clicked(body)
        trigger = str(body["trigger_id"])
        service.later(lambda: _open(service, build, (action_id, user, channel, trigger)))

    return handler


def _open(
    service: SlackService,
    build: Callable[[Action], View],
    click: tuple[str, str, str | None, str],
) -> None:
    action_id, user, channel, trigger = click
    if not service.is_approver(user):
        _tell(service, channel, user, decide.not_allowed(user))
        return
    action = decide.load(service, action_id)
    if action is None:
        _tell(service, channel, user, "That proposal no longer exists.")
        return
    service.client.views_open(trigger_id=trigger, view=build(action))


def _send_test(service: SlackService) -> Button:
    """Send me a test: the work (approvers only, the clicker's own address) runs after the ack."""

    def handler(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action_id, user, channel = _clicked(body)
        service.later(
            lambda: _tell(service, channel, user, send_me_a_test(service, action_id, user))
        )

    return handler


def _alert(service: SlackService, run: Callable[[SlackService, int, str], str | None]) -> Button:
    """Acknowledge or Snooze on an alert: anyone may."""

    def handler(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        issue, user, channel = _clicked(body)
        service.later(lambda: _tell(service, channel, user, run(service, int(issue), user)))

    return handler


def register(app: App, service: SlackService) -> None:
    """Register the button handlers."""
    app.action(APPROVE)(_decision(service, decide.approve))
    app.action(CANCEL)(_decision(service, decide.cancel))
    app.action(EDIT)(_modal(service, edit_modal))
    app.action(REJECT)(_modal(service, reject_modal))
    app.action(SEND_TEST)(_send_test(service))
    app.action(ACKNOWLEDGE)(_alert(service, alerts.acknowledge))
    app.action(SNOOZE)(_alert(service, lambda s, issue, _user: alerts.snooze(s, issue)))
