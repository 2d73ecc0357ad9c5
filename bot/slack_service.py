"""What the Slack listeners call: status, reports, the schedule and posting messages."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from slack_sdk import WebClient

from bot import alerts
from bot.blocks import Message, escape, stamp
from bot.bootstrap import Runtime
from bot.cards import card
from bot.render import quiet_message, report_message, status_message
from bot.send_cooldown import SendCooldown
from bot.send_test import can_send_tests
from bot.serve import PAUSED_KEY
from engine import kpis
from engine.clock import local, utc_now
from engine.cycle import CycleBusyError
from engine.logs import event
from engine.model import Action, ActionState, CycleReport
from engine.report import ReportFormatError, report_from_dict

log = logging.getLogger("income.slack")
STATUS_KEY = "slack_status_message"
WORKERS = 8  # threads for the work done after acks


class SlackService:
    """Application services over the runtime and the Slack Web API client."""

    def __init__(self, runtime: Runtime, client: WebClient) -> None:
        self.runtime = runtime
        self.client = client
        self.settings = runtime.settings
        self.zone = runtime.settings.timezone
        self._work = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="slack-work")
        self._in_flight = 0
        self._count_lock = threading.Lock()
        self.test_cooldown = SendCooldown()

    def later(self, work: Callable[[], object]) -> None:
        """Run slow work after the ack, off Bolt's listener threads (which then ack at once)."""
        with self._count_lock:
            self._in_flight += 1
        self._work.submit(self._logged, work)

    def in_flight(self) -> int:
        """How many pieces of after-ack work are queued or running."""
        with self._count_lock:
            return self._in_flight

    def _logged(self, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:
            log.exception("slack_work_failed")
        finally:
            with self._count_lock:
                self._in_flight -= 1

    def shutdown(self) -> None:
        """Finish the work already accepted."""
        self._work.shutdown(wait=True)

    def is_approver(self, user: str) -> bool:
        """True when the user may approve, edit, reject or cancel."""
        return user in self.settings.approvers

    def channel(self) -> str:
        """The channel for reports and alerts."""
        if self.settings.channel is None:
            raise LookupError("INCOME_CHANNEL is not set")
        return self.settings.channel

    def post(self, channel: str, message: Message, thread_ts: str | None = None) -> str:
        """Post one message; return its ts."""
        response = self.client.chat_postMessage(
            channel=channel, text=message.text, blocks=list(message.blocks), thread_ts=thread_ts
        )
        return str(response["ts"])

    def update(self, channel: str, ts: str, message: Message) -> None:
        """Edit a message in place."""
        self.client.chat_update(
            channel=channel, ts=ts, text=message.text, blocks=list(message.blocks)
        )

    def ephemeral(self, channel: str, user: str, text: str) -> None:
        """A message only `user` sees."""
        self.client.chat_postEphemeral(channel=channel, user=user, text=text)

    def status(self) -> Message:
        """KPIs now, open issues and pending approvals."""
        with self.runtime.database.uow() as uow:
            snapshot = uow.snapshots.latest()
            issues = uow.issues.open_issues()
            pending = uow.actions.find((ActionState.PROPOSED,))
        figures = kpis.derive(snapshot) if snapshot else None
        return status_message(figures, issues, pending, self.zone)

    def pending_actions(self) -> list[Action]:
        """Proposals awaiting a decision, newest first."""
        with self.runtime.database.uow() as uow:
            return uow.actions.find((ActionState.PROPOSED,))

    def last_report(self) -> CycleReport | None:
        """The newest succeeded cycle's report."""
        with self.runtime.database.uow() as uow:
            data = uow.cycles.last_report()
        if data is None:
            return None
        try:
            return report_from_dict(data)
        except ReportFormatError:
            log.warning("last_report_unreadable")
            return None

    def run_now(self) -> str | None:
        """Run a cycle in its own slot and post its report; the refusal text when busy."""
        try:
            slot = f"slack:{utc_now().isoformat()}:{uuid.uuid4().hex[:8]}"
            report = self.runtime.run_wall_clock_cycle(trigger="slack", slot=slot)
        except CycleBusyError as busy:
            return f"Not now: {busy}."
        except Exception as error:
            log.exception("slack_cycle_failed")
            return f"The cycle failed: {type(error).__name__}: {escape(str(error))}"
        self.announce(report, force=True)
        return None

    def announce(self, report: CycleReport, *, force: bool) -> None:
        """Tell Slack about a cycle: its report (or the quiet status) and its alerts."""
        self.publish(report, force=force)
        alerts.sync(self, report.open_issues, report.resolved)

    def publish(self, report: CycleReport, *, force: bool) -> None:
        """Post the report and its cards when it needs attention (or `force`), else stay quiet."""
        channel = self.channel()
        if not (force or report.needs_attention):
            self._quiet(channel, report)
            return
        for message in report_message(report, self.zone):
            self.post(channel, message)
        ids = [view.action_id for view in (*report.proposals, *report.advice)]
        self.post_cards(channel, ids)
        event(log, "report_posted", cycle=report.cycle_id, cards=len(ids))

    def post_cards(self, channel: str, action_ids: Sequence[str]) -> None:
        """Post a card per proposal and remember where it is."""
        for action_id in action_ids:
            with self.runtime.database.uow() as uow:
                action = uow.actions.get(action_id)
            if action is None:
                continue
            ts = self.post(channel, card(action, self.zone, tests=can_send_tests(self.settings)))
            with self.runtime.database.uow() as uow:
                uow.slack.set_action_card(action_id, channel, ts)
                uow.commit()

    def _quiet(self, channel: str, report: CycleReport) -> None:
        day = local(report.ran_at, self.zone).date().isoformat()
        message = quiet_message(report, self.zone)
        with self.runtime.database.uow() as uow:
            stored = uow.state.get(STATUS_KEY)
        if stored is not None:
            stored_day, _, ts = stored.partition("|")
            if stored_day == day:
                self.update(channel, ts, message)
                return
        ts = self.post(channel, message)
        with self.runtime.database.uow() as uow:
            uow.state.set(STATUS_KEY, f"{day}|{ts}")
            uow.commit()

    def paused(self) -> bool:
        """True while `/income pause` holds the schedule."""
        with self.runtime.database.uow() as uow:
            return uow.state.get(PAUSED_KEY) is not None

    def set_paused(self, user: str, *, paused: bool) -> str:
        """Pause or resume the schedule; the answer to show."""
        with self.runtime.database.uow() as uow:
            if paused:
                uow.state.set(PAUSED_KEY, user)
            else:
                uow.state.delete(PAUSED_KEY)
            uow.commit()
        if paused:
            return "Paused: scheduled cycles are skipped until `/income resume`."
        return "Resumed: cycles run on schedule again."

    def snooze(self, issue_id: int, hours: float) -> str:
        """Silence an issue's alert reminders for a while; the answer to show."""
        now = self.runtime.decision_time()
        until = now + timedelta(hours=hours)
        with self.runtime.database.uow() as uow:
            if uow.issues.get(issue_id) is None:
                return f"No issue #{issue_id}: see `/income status`."
            uow.issues.snooze(issue_id, until)
            uow.commit()
        return f"Issue #{issue_id} snoozed until {stamp(until, self.zone)}."
