"""The Slack end-to-end harness: the real app in waitress, a local Slack API, signed requests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Runtime, build_runtime
from bot.serve import Service
from bot.slack_process import SlackProcess
from engine.settings import Settings, load_settings
from tests.bot.slack.slack_server import BOT_TOKEN, SlackServer

SECRET = "test-signing-secret"
CHANNEL = "C_INCOME"
APPROVERS = ("UALICE", "UBOB")
ONCALL = ("UONCALL",)


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Harness:
    """The running app, its Slack API and helpers to talk to it as Slack does."""

    url: str
    slack: SlackServer
    runtime: Runtime
    process: SlackProcess
    service: Service
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
             signed: bool = True, age: int = 0) -> tuple[int, bytes]:  # fmt: skip
        timestamp = int(time.time()) - age
        sent = {"Content-Type": content_type}
        if signed:
            sent["X-Slack-Request-Timestamp"] = str(timestamp)
            sent["X-Slack-Signature"] = sign(body, timestamp)
        sent.update(headers or {})
        url = self.url + "/slack/events"
        request = urllib.request.Request(url, body, sent, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def command(self, text: str, user: str = "UALICE", **kw: Any) -> tuple[int, bytes]:
        form = {
            "command": "/income", "text": text, "user_id": user, "channel_id": CHANNEL,
            "team_id": "T1", "trigger_id": f"trig{next(self._ids)}", "token": "legacy",
            "response_url": f"{self.slack.base}/response/{next(self._ids)}",
        }  # fmt: skip
        body = urllib.parse.urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def interact(self, payload: dict[str, Any], **kw: Any) -> tuple[int, bytes]:
        payload = {"team": {"id": "T1"}, "api_app_id": "A1", "token": "legacy", **payload}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def click(self, action_id: str, value: str, user: str = "UALICE", channel: str = CHANNEL,
              block_id: str = "b", **kw: Any) -> tuple[int, bytes]:  # fmt: skip
        payload = {
            "type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.0"},
            "trigger_id": f"trig{next(self._ids)}",
            "actions": [{"type": "button", "action_id": action_id, "value": value,
                         "block_id": block_id, "action_ts": "1.0"}],
        }  # fmt: skip
        return self.interact(payload, **kw)

    def submit(self, callback_id: str, private: str, values: dict[str, Any],
               user: str = "UALICE") -> tuple[int, bytes]:  # fmt: skip
        payload = {
            "type": "view_submission", "user": {"id": user},
            "view": {"id": "V1", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private, "state": {"values": values}},
        }  # fmt: skip
        return self.interact(payload)

    def event(self, event: dict[str, Any]) -> tuple[int, bytes]:
        body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                "event_id": f"Ev{next(self._ids)}", "event_time": int(time.time()),
                "event": event}  # fmt: skip
        return self.post(json.dumps(body).encode(), "application/json")


def slack_settings(database: Path, api_url: str, **extra: str) -> Settings:
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "INCOME_DEMO_SCENARIO": "error_spike",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "INCOME_CHANNEL": CHANNEL,
        "INCOME_APPROVERS": ",".join(APPROVERS),
        "INCOME_ONCALL": ",".join(ONCALL),
        "INCOME_TIMEZONE": "Europe/Berlin",
        **extra,
    }
    return load_settings(env, dotenv=None)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with four weeks of demo history, seeded once per test session."""
    path = tmp_path_factory.mktemp("seed") / "income.db"
    runtime = build_runtime(slack_settings(path, "http://127.0.0.1:9/api/"))
    runtime.shop.start(scenario="error_spike", seed=7, end=_hour(runtime), days=28)
    runtime.database.dispose()
    return path


def _hour(runtime: Runtime) -> Any:
    from engine.clock import floor_hour  # noqa: PLC0415

    return floor_hour(runtime.decision_time())


@pytest.fixture(scope="module")
def harness(seeded_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """The app in waitress on port 0, over a copy of the seeded database."""
    with running_harness(seeded_database, tmp_path_factory) as running:
        yield running


@contextmanager
def running_harness(
    seeded_database: Path, tmp_path_factory: pytest.TempPathFactory, **settings: str
) -> Iterator[Harness]:
    """Run the app over a copy of the seeded database, with extra `settings` (env names)."""
    path = tmp_path_factory.mktemp("bot") / "income.db"
    shutil.copy(seeded_database, path)
    slack = SlackServer(member_of={CHANNEL}).start()
    runtime = build_runtime(slack_settings(path, slack.api_url, **settings))
    process = SlackProcess(runtime)
    service = Service(runtime, process.notify, host="127.0.0.1", port=0, extras=process.extras())
    service.http.start()
    try:
        yield Harness(f"http://127.0.0.1:{service.http.port}", slack, runtime, process, service)
    finally:
        service.http.stop()
        process.stop()
        runtime.database.dispose()
        slack.stop()
