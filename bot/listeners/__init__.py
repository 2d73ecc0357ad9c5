"""Bolt listeners: thin functions that ack, call a service, render and respond."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, views
from bot.slack_service import SlackService


def register_all(app: App, service: SlackService) -> None:
    """Register every listener of the app."""
    commands.register(app, service)
    actions.register(app, service)
    views.register(app, service)
    events.register(app, service)
