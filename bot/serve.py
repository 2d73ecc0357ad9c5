"""`income serve`: one process with the HTTP server and the scheduled cycle on the wall clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.bootstrap import Runtime
from bot.http import HttpServer, WsgiApp, health_app, routed_app
from bot.unsubscribe_page import unsubscribe_app
from engine.clock import utc_now
from engine.cycle import CycleBusyError
from engine.logs import event
from engine.model import CycleReport

log = logging.getLogger("income.serve")

MISFIRE_GRACE_SECONDS = 15 * 60
PAUSED_KEY = "schedule_paused"
Notify = Callable[[CycleReport], None]
Failed = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Job:
    """An extra interval job of the process (alert reminders, the digest)."""

    id: str
    run: Callable[[], None]
    seconds: int


@dataclass(frozen=True, slots=True)
class Extras:
    """What Slack adds to the process: its HTTP endpoint, failure notices and jobs."""

    slack_events: WsgiApp | None = None
    on_failure: Failed | None = None
    jobs: tuple[Job, ...] = ()
    problem: Callable[[], str | None] | None = None  # e.g. a revoked Slack token, for /healthz


def scheduled_slot(now: datetime, interval_seconds: int) -> str:
    """The slot a scheduled cycle at `now` claims: the start of its interval, in UTC."""
    start = int(now.timestamp()) // interval_seconds * interval_seconds
    return f"scheduled:{datetime.fromtimestamp(start, UTC).isoformat()}"


class Service:
    """The scheduler and the HTTP server of one `income serve` process."""

    def __init__(
        self,
        runtime: Runtime,
        notify: Notify,
        host: str = "0.0.0.0",  # noqa: S104 - a platform's web process listens on all interfaces
        port: int | None = None,
        extras: Extras | None = None,
    ) -> None:
        self.runtime = runtime
        self.notify = notify
        self.extras = extras or Extras()
        self.last_cycle: dict[str, Any] = {}
        self._lock = threading.Lock()
        port = runtime.settings.port if port is None else port
        unsubscribe = unsubscribe_app(runtime.database.uow, utc_now)  # with or without Slack
        app = routed_app(health_app(self.health), self.extras.slack_events, unsubscribe)
        self.http = HttpServer(app, host, port)
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.scheduler.add_job(
            self.scheduled_cycle,
            "interval",
            seconds=runtime.settings.interval_seconds,
            next_run_time=utc_now(),
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            coalesce=True,
            max_instances=1,
            id="cycle",
        )
        for job in self.extras.jobs:
            self.scheduler.add_job(
                job.run,
                "interval",
                seconds=job.seconds,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
                coalesce=True,
                max_instances=1,
                id=job.id,
            )

    def start(self) -> None:
        """Serve HTTP and start the schedule (the first cycle runs at once)."""
        self.http.start()
        self.scheduler.start()
        event(log, "serve_started", port=self.http.port)

    def stop(self) -> None:
        """Stop the schedule (waiting for a running cycle) and the HTTP server."""
        self.scheduler.shutdown(wait=True)
        self.http.stop()

    def scheduled_cycle(self) -> None:
        """Run the cycle of the current slot unless another copy already has."""
        if self.paused():
            event(log, "cycle_paused")
            return
        now = self.runtime.decision_time()
        slot = scheduled_slot(now, self.runtime.settings.interval_seconds)
        try:
            report = self.runtime.run_wall_clock_cycle(trigger="scheduled", slot=slot)
        except CycleBusyError as busy:
            event(log, "cycle_skipped", slot=slot, reason=str(busy))
            return
        except Exception as error:
            log.exception("cycle_error")
            self._record(slot, ok=False)
            if self.extras.on_failure is not None:
                self.extras.on_failure(f"{type(error).__name__}: {error}")
            return
        self._record(slot, ok=True)
        self.notify(report)

    def paused(self) -> bool:
        """True while the schedule is paused (`/income pause`)."""
        with self.runtime.database.uow() as uow:
            return uow.state.get(PAUSED_KEY) is not None

    def _record(self, slot: str, *, ok: bool) -> None:
        with self._lock:
            self.last_cycle = {"slot": slot, "ok": ok, "at": utc_now().isoformat()}

    def health(self) -> dict[str, Any]:
        """Liveness and readiness: the database answers; the last cycle's outcome."""
        try:
            with self.runtime.database.uow() as uow:
                uow.cycles.running()
        except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
            return {"status": "error", "database": type(error).__name__}
        with self._lock:
            last = dict(self.last_cycle)
        problem = self.extras.problem() if self.extras.problem is not None else None
        if problem is not None:  # the platform's health check is what can still reach people
            return {"status": "error", "database": "ok", "slack": problem, "last_cycle": last}
        return {"status": "ok", "database": "ok", "last_cycle": last or None}
