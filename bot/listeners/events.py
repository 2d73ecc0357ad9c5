"""Events: App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.home import publish_home
from bot.slack_service import SlackService


def register(app: App, service: SlackService) -> None:
    """Register the event handlers."""

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            user = str(event["user"])
            service.later(lambda: publish_home(service, user))
