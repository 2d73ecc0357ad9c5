"""Benchmark: how fast Slack gets its ack, for `income serve` vs a bare Bolt app, while cycles run.

Both apps run on the same stack (waitress, Bolt's WSGI adapter, one local recording Slack API)
in this process. Signed `/income help` commands and Approve clicks (on an unknown proposal: the
full decision path after the ack) are sent by 1, 10 and 50 concurrent clients, each on its own
keep-alive connection. Cycles run back to back in a thread of the same process while both
apps are measured (so both share the GIL with a cycle, as `income serve` does); the bare app is
also measured idle for reference. Each configuration is measured `--repeats` times; the table
shows the median p50 and p99 over the runs with their spread (min-max), and the p99 ratio to
the bare app under the same cycle load.

    python -m bench.slack_ack                   # 1, 10, 50 clients; 5 repeats of 200 requests
    python -m bench.slack_ack --clients 1,10 --requests 100 --repeats 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.bootstrap import build_runtime
from bot.http import HttpServer
from bot.serve import Service
from bot.slack_process import SlackProcess
from engine.clock import floor_hour
from tests.bot.slack.conftest import CHANNEL, SECRET, sign, slack_settings
from tests.bot.slack.slack_server import SlackServer


def command_body(n: int, base: str) -> tuple[bytes, str]:
    form = {"command": "/income", "text": "help", "user_id": "UALICE", "channel_id": CHANNEL,
            "team_id": "T1", "trigger_id": f"t{n}",
            "response_url": f"{base}/response/{n}"}  # fmt: skip
    return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"


def click_body(n: int, base: str) -> tuple[bytes, str]:
    del base
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UALICE"},
               "channel": {"id": CHANNEL}, "trigger_id": f"t{n}",
               "actions": [{"type": "button", "action_id": "approve", "value": "nosuchid",
                            "block_id": "b", "action_ts": "1"}]}  # fmt: skip
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return body, "application/x-www-form-urlencoded"


def bare_app(client: Any) -> App:
    """A Bolt app that only acks, on the same client and settings as the real one."""
    app = App(client=client, signing_secret=SECRET, process_before_response=False)
    app.command("/income")(lambda ack: ack())
    app.action("approve")(lambda ack: ack())
    return app


def measure(port: int, make: Callable[[int, str], tuple[bytes, str]], base: str,
            clients: int, requests: int) -> list[float]:  # fmt: skip
    """Latencies in ms of `requests` signed requests spread over `clients` threads."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for n in range(index, requests, clients):
            body, kind = make(n, base)
            now = int(time.time())
            headers = {"Content-Type": kind, "X-Slack-Request-Timestamp": str(now),
                       "X-Slack-Signature": sign(body, now)}  # fmt: skip
            start = time.perf_counter()
            connection.request("POST", "/slack/events", body, headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class CycleLoop:
    """Cycles back to back in a thread, each in a slot of its own."""

    def __init__(self, runtime: Any, backlog: Callable[[], int]) -> None:
        self.runtime, self.count, self.backlog = runtime, 0, backlog
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.count += 1
            self.runtime.run_wall_clock_cycle(trigger="bench", slot=f"bench:{time.time()}")

    def again(self) -> CycleLoop:
        """A fresh loop over the same runtime (a thread starts only once)."""
        return CycleLoop(self.runtime, self.backlog)

    def drain(self) -> None:
        """Wait until the work accepted after earlier acks is done (so runs do not overlap)."""
        while self.backlog():
            time.sleep(0.05)

    def __enter__(self) -> CycleLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    console = Console(width=140)
    workdir = Path(tempfile.mkdtemp(prefix="slack-ack-"))
    slack = SlackServer(member_of={CHANNEL}).start()
    settings = slack_settings(workdir / "income.db", slack.api_url)
    runtime = build_runtime(settings)
    runtime.shop.start(
        scenario="error_spike", seed=7, end=floor_hour(runtime.decision_time()), days=28
    )
    process = SlackProcess(runtime)
    real = Service(runtime, process.notify, host="127.0.0.1", port=0, extras=process.extras())
    bare = HttpServer(SlackRequestHandler(bare_app(process.client)), "127.0.0.1", 0)
    real.http.start()
    bare.start()
    try:
        load = CycleLoop(runtime, process.service.in_flight)
        table = run_matrix(args, slack.base, (bare.port, real.http.port), load)
    finally:
        real.http.stop()
        bare.stop()
        process.stop()
        runtime.database.dispose()
        slack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    console.print(table)


def run_matrix(
    args: argparse.Namespace, base: str, ports: tuple[int, int], load: CycleLoop
) -> Table:
    """Measure every request kind, client count and app; the results table."""
    bare_port, real_port = ports
    title = "Slack ack latency (ms): median over runs (min-max); ratio to bare Bolt under cycles"
    table = Table(title=title)
    for column in ("request", "clients", "app", "p50", "p99", "p99 / bare"):
        table.add_column(column, justify="right")
    apps = (("bare Bolt, idle", bare_port, False), ("bare Bolt", bare_port, True),
            ("income serve", real_port, True))  # fmt: skip
    for name, make in (("/income help", command_body), ("Approve click", click_body)):
        for clients in (int(c) for c in args.clients.split(",")):
            rows = {}
            for app, port, cycles in apps:
                runs = []
                for _ in range(args.repeats):
                    load.drain()
                    if cycles:
                        with load.again():
                            runs.append(measure(port, make, base, clients, args.requests))
                    else:
                        runs.append(measure(port, make, base, clients, args.requests))
                rows[app] = (
                    [percentile(r, 0.5) for r in runs],
                    [percentile(r, 0.99) for r in runs],
                )
            bare_p99 = statistics.median(rows["bare Bolt"][1])
            for app, (p50s, p99s) in rows.items():
                ratio = statistics.median(p99s) / bare_p99
                table.add_row(name, str(clients), app, _fmt(p50s), _fmt(p99s), f"{ratio:.2f}x")
    return table


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} [{min(values):.1f}-{max(values):.1f}]"


if __name__ == "__main__":
    main()
