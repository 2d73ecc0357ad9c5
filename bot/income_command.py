"""`/income` subcommands: parse the text, do the work, say what happened (ephemeral by default)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot import alerts
from bot.blocks import Message, escape, limit_message, section
from bot.render import report_message
from bot.slack_service import SlackService

USAGE = (
    "*Usage:* `/income <subcommand>`\n"
    "• `status`: KPIs now, open issues, pending approvals\n"
    "• `run`: run a cycle now and post its report\n"
    "• `report`: the last report\n"
    "• `actions`: proposals awaiting a decision\n"
    "• `pause` / `resume`: hold or restart the schedule\n"
    "• `snooze <issue> <duration>`: silence an issue's reminders, e.g. `snooze 3 2h`\n"
    "• `help`: this list"
)
LISTED = 20
SNOOZE_ARGS = 2
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhd])$")
_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0}


@dataclass(frozen=True, slots=True)
class Reply:
    """What to answer: messages, and whether everyone in the channel sees them."""

    messages: tuple[Message, ...]
    in_channel: bool = False


def text_reply(text: str) -> Reply:
    """A one-section ephemeral answer."""
    return Reply((limit_message(text, [section(text)])[0],))


def parse_duration(raw: str) -> float | None:
    """Hours in '30m', '2h' or '1d'; None when it is not a duration."""
    match = _DURATION.match(raw.strip().lower())
    return float(match.group(1)) * _UNIT_HOURS[match.group(2)] if match else None


def handle(service: SlackService, text: str, user: str) -> Reply:
    """Run a `/income` subcommand and return the answer."""
    words = text.split()
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    if name == "snooze":
        return _snooze(service, args)
    simple = {
        "status": lambda: Reply((service.status(),)),
        "run": lambda: _run(service),
        "report": lambda: _report(service),
        "actions": lambda: _actions(service),
        "pause": lambda: _pause(service, user, paused=True),
        "resume": lambda: _pause(service, user, paused=False),
        "help": lambda: text_reply(USAGE),
    }
    if name in simple and not args:
        return simple[name]()
    return text_reply(f"Unknown command `{escape(text.strip())}`.\n{USAGE}")


def _run(service: SlackService) -> Reply:
    where = f"<#{service.settings.channel}>" if service.settings.channel else "the channel"
    try:
        refusal = service.run_now()
    except SlackApiError as error:
        code = error.response.get("error")
        hint = " (invite the bot: /invite @Income Engine)" if code == "not_in_channel" else ""
        return text_reply(f"The cycle ran, but posting its report to {where} failed: {code}{hint}")
    return text_reply(refusal or f"Cycle done: its report is posted in {where}.")


def _report(service: SlackService) -> Reply:
    report = service.last_report()
    if report is None:
        return text_reply("No report yet: try `/income run`.")
    return Reply(tuple(report_message(report, service.zone)), in_channel=True)


def _pause(service: SlackService, user: str, *, paused: bool) -> Reply:
    if not service.is_approver(user):
        return text_reply("Only the approvers in INCOME_APPROVERS can pause or resume.")
    return text_reply(service.set_paused(user, paused=paused))


def _actions(service: SlackService) -> Reply:
    pending = service.pending_actions()
    if not pending:
        return text_reply("No proposals await a decision.")
    lines = [f"• `{a.id}` {escape(a.candidate.title)}" for a in pending[:LISTED]]
    more = f"\n…and {len(pending) - LISTED} more" if len(pending) > LISTED else ""
    return text_reply("*Awaiting a decision*\n" + "\n".join(lines) + more)


def _snooze(service: SlackService, args: list[str]) -> Reply:
    hours = parse_duration(args[1]) if len(args) == SNOOZE_ARGS else None
    issue = args[0].lstrip("#") if args else ""
    if hours is None or not issue.isdigit() or hours <= 0:
        return text_reply("Usage: `/income snooze <issue> <duration>`, e.g. `/income snooze 3 2h`")
    return text_reply(alerts.snooze(service, int(issue), hours))
