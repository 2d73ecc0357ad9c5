"""The `/income` slash command: ack at once, then answer through the response URL."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.income_command import handle
from bot.slack_service import SlackService

log = logging.getLogger("income.slack")


def register(app: App, service: SlackService) -> None:
    """Register `/income`."""

    @app.command("/income")
    def income(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def work() -> None:
            reply = handle(service, str(command.get("text", "")), str(command["user_id"]))
            kind = "in_channel" if reply.in_channel else "ephemeral"
            for message in reply.messages:
                respond(text=message.text, blocks=list(message.blocks), response_type=kind)

        service.later(work)
