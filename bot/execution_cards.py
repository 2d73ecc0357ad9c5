"""After execution: the card shows per-target counts (and why it failed); unknowns reach on-call."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot import alerts
from bot.blocks import escape, hhmm
from bot.cards import card
from bot.decide import load, text_message
from bot.slack_service import SlackService
from engine.execution_ports import ExecutionReport
from engine.execution_report import load_report
from engine.logs import event
from engine.model import TargetState

log = logging.getLogger("income.slack")
_LABELS = {
    TargetState.SENT.value: "sent",
    TargetState.FAILED.value: "failed",
    TargetState.UNKNOWN.value: "unknown (needs a human)",
    TargetState.HELD_OUT.value: "held out as control",
    TargetState.PENDING.value: "pending",
}


def outcome_line(report: ExecutionReport, service: SlackService) -> str:
    """'Succeeded at 14:20: 41 sent · 5 held out as control', plus the failure reason."""
    counts = " · ".join(f"{n:,} {_LABELS.get(state, state)}" for state, n in report.counts if n)
    line = f"*Execution {report.state.value}* at {hhmm(report.finished_at, service.zone)}"
    line += f": {counts}" if counts else ""
    if report.error:
        line += f"\nReason: {escape(report.error)}"
    return line


class SlackNotifier:
    """The worker's notifier: edits the card in place when an execution ends."""

    def __init__(self, service: SlackService) -> None:
        self.service = service

    def execution_finished(self, report: ExecutionReport) -> None:
        """Update the action's card; DM on-call when some targets ended unknown."""
        try:
            self._show(report)
        except SlackApiError as error:
            event(log, "slack_error", logging.ERROR, step="execution_card",
                  error=str(error.response.get("error")))  # fmt: skip

    def lift_measured(self, action_id: str, lift: str) -> None:
        """Add the measured lift, with its holdout size, to the action's card."""
        with self.service.runtime.database.uow() as uow:
            report = load_report(uow, action_id)
            where = uow.slack.action_card(action_id)
        action = load(self.service, action_id)
        if report is None or where is None or action is None:
            return
        outcome = outcome_line(report, self.service) + f"\n*Measured lift:* {escape(lift)}"
        try:
            self.service.update(where[0], where[1], card(action, self.service.zone, outcome))
        except SlackApiError as error:
            event(log, "slack_error", logging.ERROR, step="lift_card",
                  error=str(error.response.get("error")))  # fmt: skip

    def _show(self, report: ExecutionReport) -> None:
        action = load(self.service, report.action_id)
        if action is None:
            return
        with self.service.runtime.database.uow() as uow:
            where = uow.slack.action_card(report.action_id)
        if where is not None:
            message = card(action, self.service.zone, outcome_line(report, self.service))
            self.service.update(where[0], where[1], message)
        unknown = report.count(TargetState.UNKNOWN)
        if unknown:
            text = (
                f"{unknown} target(s) of `{report.action_id}` ({escape(action.candidate.title)}) "
                "ended unknown: the send was in flight when it broke. Check before resending."
            )
            alerts.dm(self.service, self.service.settings.oncall, text_message(text))
