"""A token Slack stops accepting makes /healthz unhealthy: the platform's check can still alert."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from bot.bootstrap import build_runtime
from bot.serve import Service
from bot.slack_process import SlackProcess
from tests.bot.slack.conftest import CHANNEL, slack_settings
from tests.bot.slack.slack_server import SlackServer


def health(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_revoked_token_turns_healthz_red(seeded_database: Path, tmp_path: Path) -> None:
    shutil.copy(seeded_database, tmp_path / "income.db")
    slack = SlackServer(member_of={CHANNEL}).start()
    runtime = build_runtime(slack_settings(tmp_path / "income.db", slack.api_url))
    process = SlackProcess(runtime)
    service = Service(runtime, process.notify, host="127.0.0.1", port=0, extras=process.extras())
    service.http.start()
    url = f"http://127.0.0.1:{service.http.port}"
    try:
        assert health(url)[0] == 200
        slack.token = "xoxb-someone-else"  # the workspace revoked ours
        process.cycle_failed("OperationalError: disk full")  # Slack now answers invalid_auth
        status, body = health(url)
        assert status == 503
        assert body["slack"] == "token rejected by Slack (invalid_auth); run `income check`"
        assert "xoxb" not in json.dumps(body)
    finally:
        service.http.stop()
        process.stop()
        runtime.database.dispose()
        slack.stop()
