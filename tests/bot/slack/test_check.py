"""`income check`, the manifest and the Procfile."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bootstrap import build_runtime
from bot.check import REQUIRED_SCOPES, check_slack
from bot.cli import main
from bot.slack_process import SlackProcess
from engine.settings import ConfigError
from tests.bot.slack.conftest import CHANNEL, slack_settings
from tests.bot.slack.slack_server import SlackServer

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def slack() -> SlackServer:
    server = SlackServer(member_of={CHANNEL}).start()
    yield server  # type: ignore[misc]
    server.stop()


def test_check_passes_when_everything_is_set(slack: SlackServer, tmp_path: Path) -> None:
    results = list(check_slack(slack_settings(tmp_path / "x.db", slack.api_url)))
    assert all(ok for ok, _ in results), results
    assert slack.methods() == ["auth.test", "conversations.info"]


def test_check_names_not_in_channel_and_missing_people(slack: SlackServer, tmp_path: Path) -> None:
    slack.member_of.clear()
    settings = slack_settings(tmp_path / "x.db", slack.api_url, INCOME_ONCALL="")
    failed = [line for ok, line in check_slack(settings) if not ok]
    assert failed == [
        f"bot is a member of {CHANNEL} (not_in_channel: type /invite @Income Engine in it)",
        "INCOME_ONCALL: 0 user(s)",
    ]


def test_income_check_exits_1_on_a_revoked_token(
    slack: SlackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings_env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'income.db'}",
        "SLACK_BOT_TOKEN": "xoxb-revoked",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
    }
    monkeypatch.chdir(tmp_path)
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "token rejected by Slack: invalid_auth" in out
    assert "xoxb-revoked" not in out


def test_manifest_and_procfile() -> None:
    manifest = (ROOT / "manifest.yml").read_text()
    for needle in ("command: /income", "app_home_opened", "/slack/events", "is_enabled: true"):
        assert needle in manifest
    for scope in REQUIRED_SCOPES:
        assert f"- {scope} " in manifest
    assert (ROOT / "Procfile").read_text() == "web: income serve\n"


def test_socket_mode_serves_healthz_only_over_http(slack: SlackServer, tmp_path: Path) -> None:
    settings = slack_settings(tmp_path / "s.db", slack.api_url, SLACK_APP_TOKEN="xapp-1-test")
    runtime = build_runtime(settings)
    try:
        process = SlackProcess(runtime)
        extras = process.extras()
        assert extras.slack_events is None
        assert [job.id for job in extras.jobs] == ["alert_reminders", "daily_digest"]
        assert slack.methods() == ["auth.test"]  # the token is verified at start-up
    finally:
        runtime.database.dispose()


def test_a_rejected_token_stops_start_up_with_one_line(slack: SlackServer, tmp_path: Path) -> None:
    settings = slack_settings(tmp_path / "r.db", slack.api_url, SLACK_BOT_TOKEN="xoxb-revoked")
    runtime = build_runtime(settings)
    try:
        with pytest.raises(
            ConfigError, match=r"^SLACK_BOT_TOKEN was rejected by Slack's auth\.test"
        ):
            SlackProcess(runtime)
    finally:
        runtime.database.dispose()
