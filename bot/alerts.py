"""Critical alerts: one message per open issue, DMs to on-call, reminders until acknowledged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.blocks import Message, escape, hhmm, limit_message, section, stamp
from bot.render import SNOOZE_HOURS, alert_message
from engine.logs import event
from engine.model import Issue, Severity
from engine.store.slack import IssueAlert

if TYPE_CHECKING:
    from bot.slack_service import SlackService

log = logging.getLogger("income.slack")


def dm(service: SlackService, users: Sequence[str], message: Message) -> None:
    """Send a message to each user's DM with the bot."""
    for user in users:
        opened = service.client.conversations_open(users=user)
        channel = opened["channel"]["id"]
        service.post(str(channel), message)


def _state(alert: IssueAlert | None, issue: Issue, service: SlackService) -> str:
    if issue.resolved_at is not None:
        return f"Resolved at {hhmm(issue.resolved_at, service.zone)}"
    if alert is not None and alert.acknowledged_by and alert.acknowledged_at:
        at = hhmm(alert.acknowledged_at, service.zone)
        return f"Acknowledged by <@{alert.acknowledged_by}> at {at}"
    if issue.snoozed_until is not None and issue.snoozed_until > service.runtime.decision_time():
        return f"Snoozed until {stamp(issue.snoozed_until, service.zone)}"
    return ""


def _alert_of(service: SlackService, issue_id: int) -> IssueAlert | None:
    with service.runtime.database.uow() as uow:
        return uow.slack.issue_alert(issue_id)


def render(service: SlackService, issue: Issue) -> Message:
    """The alert for an issue as it stands now."""
    alert = _alert_of(service, issue.id)
    return alert_message(
        issue, service.settings.oncall, service.zone, _state(alert, issue, service)
    )


def sync(service: SlackService, open_issues: Sequence[Issue], resolved: Sequence[Issue]) -> None:
    """Alert on new critical issues once, edit existing alerts, close resolved ones in thread."""
    for issue in open_issues:
        if issue.severity is not Severity.CRITICAL:
            continue
        alert = _alert_of(service, issue.id)
        if alert is None or alert.ts is None:
            _raise(service, issue)
        elif alert.channel is not None:
            service.update(alert.channel, alert.ts, render(service, issue))
    for issue in resolved:
        alert = _alert_of(service, issue.id)
        if alert is None or alert.ts is None or alert.channel is None:
            continue
        service.update(alert.channel, alert.ts, render(service, issue))
        at = hhmm(issue.resolved_at or issue.updated_at, service.zone)
        note = f"Resolved: {escape(issue.headline)} (at {at})"
        service.post(alert.channel, limit_message(note, [section(note)])[0], thread_ts=alert.ts)


def _raise(service: SlackService, issue: Issue) -> None:
    channel = service.channel()
    message = render(service, issue)
    ts = service.post(channel, message)
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        uow.slack.set_issue_alert(issue.id, channel, ts)
        uow.slack.mark_issue_reminded(issue.id, now)
        uow.commit()
    dm(service, service.settings.oncall, message)
    event(log, "alert_raised", issue=issue.id)


def remind(service: SlackService) -> int:
    """DM the on-call users about unacknowledged, unsnoozed alerts that are due; how many."""
    now = service.runtime.decision_time()
    every = timedelta(minutes=service.settings.alert_repeat_minutes)
    with service.runtime.database.uow() as uow:
        issues = [i for i in uow.issues.open_issues() if i.severity is Severity.CRITICAL]
    sent = 0
    for issue in issues:
        alert = _alert_of(service, issue.id)
        if not _due(alert, issue, now, every):
            continue
        text = f"Reminder: {escape(issue.headline)} is still unacknowledged (issue #{issue.id})"
        dm(service, service.settings.oncall, limit_message(text, [section(text)])[0])
        with service.runtime.database.uow() as uow:
            uow.slack.mark_issue_reminded(issue.id, now)
            uow.commit()
        sent += 1
    return sent


def _due(alert: IssueAlert | None, issue: Issue, now: datetime, every: timedelta) -> bool:
    if alert is None or alert.ts is None or alert.acknowledged_at is not None:
        return False
    if issue.snoozed_until is not None and issue.snoozed_until > now:
        return False
    return alert.last_reminded_at is None or now - alert.last_reminded_at >= every


def acknowledge(service: SlackService, issue_id: int, user: str) -> str | None:
    """Acknowledge an alert once; None when this click did it, else what to tell the user."""
    now = service.runtime.decision_time()
    with service.runtime.database.uow() as uow:
        first = uow.slack.acknowledge_issue(issue_id, user, now)
        uow.commit()
    _refresh(service, issue_id)
    if first:
        return None
    alert = _alert_of(service, issue_id)
    if alert is None or alert.acknowledged_at is None:
        return f"No issue #{issue_id}."
    by = f"<@{alert.acknowledged_by}>"
    return f"Already acknowledged by {by} at {hhmm(alert.acknowledged_at, service.zone)}."


def snooze(service: SlackService, issue_id: int, hours: float = SNOOZE_HOURS) -> str:
    """Snooze an issue's reminders for some hours and show it on the alert."""
    answer = service.snooze(issue_id, hours)
    _refresh(service, issue_id)
    return answer


def _refresh(service: SlackService, issue_id: int) -> None:
    with service.runtime.database.uow() as uow:
        issue = uow.issues.get(issue_id)
    alert = _alert_of(service, issue_id)
    if issue is None or alert is None or alert.ts is None or alert.channel is None:
        return
    service.update(alert.channel, alert.ts, render(service, issue))
