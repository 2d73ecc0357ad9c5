"""The execution worker: claims approved actions with a lease and carries them out per target.

Each target's send is bracketed by two commits: the chunk is marked in flight, sent, then
its results are recorded. After a crash the next claim (the lease expired) resumes: pending
targets are sent; in-flight ones are replayed with the same idempotency key on an
idempotent provider, and become `unknown` on SMTP — a human is told, nothing is resent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient

from engine.clock import Clock, utc_now
from engine.contact_policy import FREQUENCY_WINDOW, MAX_MARKETING_EMAILS, exclusions
from engine.demo.shop import DemoShop
from engine.execution_ports import Delivery, Executor, Notifier, TargetResult
from engine.execution_report import LogNotifier, summarise
from engine.executors.keys import holdout_keys, holds_out, idempotency_key
from engine.executors.registry import build_executors
from engine.executors.retry import RetryPolicy
from engine.lift import ActionLift, describe, pooled
from engine.logs import event
from engine.measure import ConversionSource, measure_due
from engine.model import ActionKind, TargetState
from engine.settings import Settings
from engine.store import Database, SqlUnitOfWork
from engine.store.executions import Claim, TargetRecord
from engine.unsubscribe import BOUNCED

log = logging.getLogger("income.worker")

CRASH_POINTS = ("after_claim", "after_accept", "mid_batch")
CrashHook = Callable[[str], None]


def _no_crash(point: str) -> None:
    del point


def default_owner() -> str:
    """A lease owner naming this process: host, pid and a random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How the worker claims and sends."""

    holdout: float = 0.1
    lease: timedelta = timedelta(minutes=5)
    chunk: int = 25  # targets per commit; a crash leaves at most this many in flight
    frequency_cap: int = MAX_MARKETING_EMAILS  # marketing e-mails per address per window
    frequency_window: timedelta = FREQUENCY_WINDOW
    poll_seconds: float = 2.0
    currency: str = "USD"  # of measured revenue
    owner: str = field(default_factory=default_owner)


class Worker:
    """Claims queued executions and runs their executors, one action at a time."""

    def __init__(
        self,
        uow: Callable[[], SqlUnitOfWork],
        executors: Mapping[ActionKind, Executor],
        notifier: Notifier,
        *,
        config: WorkerConfig | None = None,
        clock: Clock = utc_now,
        crash: CrashHook = _no_crash,
        conversions: ConversionSource | None = None,
    ) -> None:
        self._uow = uow
        self._conversions = conversions
        self._executors = executors
        self._notifier = notifier
        self.config = config or WorkerConfig()
        self._clock = clock
        self._crash = crash
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: datetime | None = None) -> int:
        """Execute every claimable execution; return how many this call finished."""
        finished = 0
        while True:
            claim = self._claim(now or self._clock())
            if claim is None:
                return finished
            finished += int(self.execute(claim))

    def measure_due(self, now: datetime | None = None) -> list[ActionLift]:
        """Measure executed actions whose attribution window closed (needs a conversion source)."""
        if self._conversions is None:
            return []
        moment = now or self._clock()
        lifts = measure_due(self._uow, self._conversions, moment, self.config.currency)
        for lift in lifts:
            estimate = pooled([lift])
            if estimate is not None:
                self._notifier.lift_measured(lift.action_id, describe(estimate))
        return lifts

    def _claim(self, now: datetime) -> Claim | None:
        with self._uow() as uow:
            claim = uow.executions.claim(self.config.owner, now, self.config.lease)
            uow.commit()
        if claim is not None:
            event(log, "execution_claimed", action=claim.action_id, attempt=claim.attempts)
        return claim

    def execute(self, claim: Claim) -> bool:
        """Carry out one claimed execution; False when the lease was lost on the way."""
        self._crash("after_claim")
        with self._uow() as uow:
            job = uow.executions.job(claim.action_id, self._clock())
            records = uow.executions.targets(claim.action_id)
        executor = self._executors.get(job.kind)
        if executor is None:
            return self._finish(claim, job.kind, f"nothing is configured to run {job.kind.value}")
        todo = self._prepare(claim, job.kind, records, idempotent=executor.idempotent)
        delivery = executor.open(job)
        try:
            for start in range(0, len(todo), self.config.chunk):
                if not self._send_chunk(claim, delivery, todo[start : start + self.config.chunk]):
                    return False
        finally:
            delivery.close()
        return self._finish(claim, job.kind, None)

    def _prepare(
        self, claim: Claim, kind: ActionKind, records: Sequence[TargetRecord], *, idempotent: bool
    ) -> list[TargetRecord]:
        """Settle in-flight sends, filter e-mails, hold out the control group; what to send.

        The control is drawn over every target but only kept among those the filter lets
        through: a suppressed or capped address is in neither group, so sent and held-out
        targets are alike and the measured lift is not biased by who could be mailed.
        """
        now = self._clock()
        settled: list[TargetResult] = []
        pending = [r for r in records if r.state is TargetState.PENDING]
        if not idempotent:
            note = "in flight when the worker stopped; not resent (SMTP has no idempotency key)"
            settled += [
                TargetResult(r.target.key, TargetState.UNKNOWN, note)
                for r in pending
                if r.in_flight
            ]
            pending = [r for r in pending if not r.in_flight]
        control = (
            holdout_keys(claim.action_id, [r.target.key for r in records], self.config.holdout)
            if holds_out(kind)
            else set()
        )
        with self._uow() as uow:
            config = self.config
            blocked = exclusions(
                uow,
                claim.action_id,
                kind,
                pending,
                now,
                cap=config.frequency_cap,
                window=config.frequency_window,
                holdout=config.holdout,
            )
            settled += blocked
            skipped = {result.target_key for result in blocked}
            pending = [r for r in pending if r.target.key not in skipped]
            settled += [
                TargetResult(r.target.key, TargetState.HELD_OUT, "control group")
                for r in pending
                if r.target.key in control
            ]
            pending = [r for r in pending if r.target.key not in control]
            uow.executions.set_states(claim.action_id, settled, now)
            uow.commit()
        return pending

    def _send_chunk(self, claim: Claim, delivery: Delivery, chunk: Sequence[TargetRecord]) -> bool:
        """Mark in flight and renew the lease, send, record; False when the lease is gone."""
        keys = [r.target.key for r in chunk]
        with self._uow() as uow:
            if not uow.executions.renew(claim, self.config.owner, self._clock(), self.config.lease):
                event(log, "execution_lease_lost", logging.WARNING, action=claim.action_id)
                return False
            uow.executions.mark_in_flight(claim.action_id, keys, self._clock())
            uow.commit()
        targets = [r.target for r in chunk]
        results = delivery.send(targets, [idempotency_key(claim.action_id, key) for key in keys])
        self._crash("after_accept")
        now = self._clock()
        with self._uow() as uow:
            uow.executions.set_states(claim.action_id, results, now)
            for result, target in zip(results, targets, strict=True):
                if result.bounced and target.email:
                    uow.suppressions.add(target.email, BOUNCED, now)
            uow.commit()
        self._crash("mid_batch")
        return True

    def _finish(self, claim: Claim, kind: ActionKind, error: str | None) -> bool:
        """Derive the action's end state from its targets and record it with the outcome."""
        with self._uow() as uow:
            if error is not None:
                left = [
                    r
                    for r in uow.executions.targets(claim.action_id)
                    if r.state is TargetState.PENDING
                ]
                failed = [TargetResult(r.target.key, TargetState.FAILED, error) for r in left]
                uow.executions.set_states(claim.action_id, failed, self._clock())
            records = uow.executions.targets(claim.action_id)
            report = summarise(claim.action_id, kind, records, self._clock(), error)
            done = uow.executions.finish(claim, self.config.owner, report)
            uow.commit()
        if done:
            self._notifier.execution_finished(report)
        return done

    def start(self) -> None:
        """Run in a daemon thread, polling every `poll_seconds` (or at once after `wake`)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="income-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for work now (after an approval)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread after the action under way."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
                self.measure_due()
            except Exception:
                log.exception("worker_error")
            self._wake.wait(self.config.poll_seconds)
            self._wake.clear()


def build_worker(
    settings: Settings,
    database: Database,
    shop: DemoShop,
    *,
    notifier: Notifier | None = None,
    clock: Clock = utc_now,
    retry: RetryPolicy | None = None,
    slack: WebClient | None = None,
) -> Worker:
    """The worker of this deployment: executors from settings, holdout INCOME_HOLDOUT."""
    config = WorkerConfig(holdout=settings.holdout, currency=settings.currency)
    executors = build_executors(settings, shop, retry, slack)
    return Worker(
        database.uow,
        executors,
        notifier or LogNotifier(),
        config=config,
        clock=clock,
        conversions=shop if settings.source == "demo" else None,
    )
