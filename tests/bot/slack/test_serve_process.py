"""`income serve` as people run it: a separate process, an empty database, the local Slack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.bot.slack.conftest import APPROVERS, CHANNEL, ONCALL, SECRET
from tests.bot.slack.slack_server import BOT_TOKEN, SlackServer
from tests.engine.executors.smtp_server import free_port


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local test server
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def posted(slack: SlackServer) -> list[dict[str, object]]:
    return slack.of("chat.postMessage")


def test_serve_comes_up_healthy_on_an_empty_database_and_posts_its_first_report(
    tmp_path: Path,
) -> None:
    slack = SlackServer(member_of={CHANNEL}).start()
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INCOME_", "SLACK_", "DATABASE_URL", "SMTP_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'income.db'}",
        INCOME_DEMO_SCENARIO="error_spike",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        INCOME_CHANNEL=CHANNEL,
        INCOME_APPROVERS=",".join(APPROVERS),
        INCOME_ONCALL=",".join(ONCALL),
        PORT=str(port),
    )
    command = [sys.executable, "-m", "bot.cli", "serve"]
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{port}/healthz"):
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "not healthy within 60 s"
            time.sleep(0.2)
        mention = f"<@{ONCALL[0]}>"
        slack.wait_for(lambda: any(mention in str(c.get("text")) for c in posted(slack)), 60)
        dm = f"D{ONCALL[0]}"
        slack.wait_for(lambda: any(c.get("channel") == dm for c in posted(slack)), 30)
        alerts = [c for c in posted(slack) if mention in str(c.get("text"))]
        assert [c.get("channel") for c in alerts].count(CHANNEL) == 1  # one alert per issue
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        slack.stop()
    assert process.returncode == 0, output.decode()
    assert b"Serving on port" in output
