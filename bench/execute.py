"""Benchmark: a 10,000-recipient e-mail action through the worker to a local SMTP server.

The SMTP server is aiosmtpd's Sink in a process of its own (`python -m aiosmtpd`), so the
sender and the server do not share a GIL. Each run stores a fresh approved action with
`--recipients` targets (no holdout) in a new SQLite file and times `Worker.run_once` end to
end: claim, per-chunk in-flight marks and results, the outcome row. Two modes, alternated in
one run and repeated: one SMTP connection reused across recipients, and one connection per
message. Prints medians and spreads of messages per second.

    python -m bench.execute                        # 10,000 recipients, 3 repeats
    python -m bench.execute --recipients 2000 --repeats 5 --json
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.execution_ports import ExecutionReport, Executor
from engine.executors.email import SmtpEmailExecutor, SmtpServer
from engine.model import ActionKind, Candidate, Content, Target, TargetState
from engine.store import Database
from engine.worker import Worker, WorkerConfig

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BODY = (
    "Hi {first_name},\n\nYour cart is waiting:\n\n{cart_link}\n\n--\n"
    "Unsubscribe: {unsubscribe_link}"
)


class _Quiet:
    def __init__(self) -> None:
        self.reports: list[ExecutionReport] = []

    def execution_finished(self, report: ExecutionReport) -> None:
        self.reports.append(report)

    def lift_measured(self, action_id: str, lift: str) -> None:
        del action_id, lift  # the benchmark measures sending, not lift


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def sink_server() -> Iterator[int]:
    """aiosmtpd's Sink handler in a child process; yields its port."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    process = subprocess.Popen([*command, "-c", "aiosmtpd.handlers.Sink"])  # noqa: S603
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def candidate(recipients: int) -> Candidate:
    """A cart-recovery action with `recipients` distinct addresses."""
    targets = tuple(
        Target(f"cart:{i}", str(i), f"customer{i}@example.net", 1_000, str(i))
        for i in range(recipients)
    )
    return Candidate(
        kind=ActionKind.CART_RECOVERY_EMAIL,
        variant="no_discount",
        title=f"Remind {recipients} customers about their carts",
        targets=targets,
        content=Content("You left something in your cart", BODY),
    )


def one_run(port: int, recipients: int, *, reuse: bool, directory: Path) -> float:
    """Messages per second of one approved action, end to end through the worker."""
    database = Database(f"sqlite:///{directory / f'run-{time.monotonic_ns()}.db'}")
    database.upgrade()
    try:
        with database.uow() as uow:
            action = uow.actions.add(
                candidate(recipients),
                reason="bench",
                content_hash="bench",
                created_at=NOW,
                expires_at=NOW + timedelta(hours=1),
                cycle_id=None,
            )
            uow.actions.approve(action.id, "bench", NOW)
            uow.commit()
        smtp = SmtpEmailExecutor(SmtpServer("127.0.0.1", port), "shop@example.com", reuse=reuse)
        executors: dict[ActionKind, Executor] = {ActionKind.CART_RECOVERY_EMAIL: smtp}
        notifier = _Quiet()
        config = WorkerConfig(holdout=0.0, frequency_cap=recipients, owner="bench")
        worker = Worker(database.uow, executors, notifier, config=config, clock=lambda: NOW)
        started = time.perf_counter()
        worker.run_once()
        elapsed = time.perf_counter() - started
        sent = notifier.reports[0].count(TargetState.SENT)
        if sent != recipients:
            raise RuntimeError(f"sent {sent} of {recipients}")
        return sent / elapsed
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run both modes `--repeats` times, alternating, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rates: dict[str, list[float]] = {"reuse": [], "per_message": []}
    with sink_server() as port, tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for mode, values in rates.items():
                values.append(
                    one_run(port, args.recipients, reuse=mode == "reuse", directory=Path(tmp))
                )
    summary = {
        mode: {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "runs": values,
        }
        for mode, values in rates.items()
    }
    if args.json:
        print(json.dumps({"recipients": args.recipients, **summary}, indent=2))
        return 0
    for mode, figures in summary.items():
        print(
            f"{mode:12} {figures['median']:8.0f} msg/s "
            f"(min {figures['min']:.0f}, max {figures['max']:.0f}, {args.repeats} runs "
            f"of {args.recipients:,} recipients)"
        )
    ratio = statistics.median(rates["reuse"]) / statistics.median(rates["per_message"])
    print(f"connection reuse is {ratio:.1f}x one connection per message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
