"""The Slack side of `income serve`: the Bolt app on HTTP (or Socket Mode) and its jobs."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.errors import SlackApiError

from bot import alerts
from bot.app import build_app, build_client
from bot.blocks import escape
from bot.bootstrap import Runtime
from bot.decide import text_message
from bot.digest import daily_digest
from bot.execution_cards import SlackNotifier
from bot.http import StartResponse
from bot.selfcheck import notify_stale
from bot.serve import Extras, Job
from bot.slack_service import SlackService
from engine.clock import utc_now
from engine.logs import event
from engine.model import CycleReport

log = logging.getLogger("income.slack")
JOB_SECONDS = 300  # how often the reminder and digest jobs look for work
REVOKED = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})


class SlackProcess:
    """The Bolt app, the services it calls, and what the scheduler tells Slack."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.client = build_client(runtime.settings)
        self.service = SlackService(runtime, self.client)
        self.app = build_app(runtime.settings, self.client, self.service)
        self._handler: Any = SlackRequestHandler(self.app)
        self.notifier = SlackNotifier(self.service)
        self._socket: Any = None
        self._revoked: str | None = None

    def wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        """The WSGI app behind `POST /slack/events`."""
        return self._handler(environ, start_response)

    def extras(self) -> Extras:
        """What `Service` needs: the endpoint (HTTP mode), failure notices and reminders."""
        seconds = self.runtime.settings.alert_repeat_minutes * 60
        socket_mode = self.runtime.settings.slack_app_token is not None
        return Extras(
            slack_events=None if socket_mode else self.wsgi,
            on_failure=self.cycle_failed,
            jobs=(
                Job("alert_reminders", self.remind, min(seconds, JOB_SECONDS)),
                Job("daily_digest", self.digest, JOB_SECONDS),
            ),
            problem=self.problem,
        )

    def problem(self) -> str | None:
        """Why Slack cannot be reached at all (a revoked or invalid token), for /healthz."""
        return self._revoked

    def start_socket_mode(self) -> None:
        """Connect over Socket Mode when SLACK_APP_TOKEN is set (non-blocking)."""
        token = self.runtime.settings.slack_app_token
        if token is not None:
            self._socket = SocketModeHandler(self.app, token)
            self._socket.connect()

    def stop(self) -> None:
        """Close the Socket Mode connection, if any, and finish the accepted work."""
        if self._socket is not None:
            self._socket.close()
        self.service.shutdown()

    def notify(self, report: CycleReport) -> None:
        """After a scheduled cycle: the report (quietly) and the alerts."""
        self._guard("notify", lambda: self.service.announce(report, force=False))

    def remind(self) -> None:
        """The reminder job: due alert reminders, and stale data reaching on-call."""
        self._guard("remind", lambda: alerts.remind(self.service))
        self._guard("stale", lambda: notify_stale(self.service, utc_now()))

    def digest(self) -> None:
        """The digest job: today's chart once, at `INCOME_DIGEST_HOUR`."""
        self._guard("digest", lambda: daily_digest(self.service))

    def cycle_failed(self, error: str) -> None:
        """A failed scheduled cycle reaches the channel and the on-call users."""
        text = f"The scheduled cycle failed: {escape(error)}"
        message = text_message(text)

        def tell() -> None:
            self.service.post(self.service.channel(), message)
            alerts.dm(self.service, self.runtime.settings.oncall, message)

        self._guard("cycle_failed", tell)

    def tell_channel(self, text: str) -> None:
        """A notice for the channel alone (e.g. the mailbox could not be read)."""
        message = text_message(escape(text))
        self._guard("notice", lambda: self.service.post(self.service.channel(), message))

    def _guard(self, step: str, run: Any) -> None:
        try:
            run()
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown"))
            level = logging.CRITICAL if code in REVOKED else logging.ERROR
            event(log, "slack_error", level, step=step, error=code)
            if code in REVOKED:  # nobody can be told in Slack: make the process unhealthy
                self._revoked = f"token rejected by Slack ({code}); run `income check`"
        except LookupError as error:
            event(log, "slack_skipped", logging.WARNING, step=step, reason=str(error))
