"""POST /slack/events over real HTTP: signatures, /healthz beside it, and `/income`."""

from __future__ import annotations

import http.client
import json
import urllib.request

import pytest

from tests.bot.slack.conftest import Harness


def test_healthz_is_served_beside_slack_events(harness: Harness) -> None:
    with urllib.request.urlopen(harness.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"


def test_head_healthz_has_no_body_so_the_connection_stays_usable(harness: Harness) -> None:
    connection = http.client.HTTPConnection(harness.url.removeprefix("http://"), timeout=5)
    try:
        connection.request("HEAD", "/healthz")
        head = connection.getresponse()
        assert (head.status, head.read()) == (200, b"")
        assert int(head.headers["Content-Length"]) > 0  # the length a GET would have
        connection.request("GET", "/healthz")  # the same connection: no stray body in the way
        assert json.loads(connection.getresponse().read())["status"] == "ok"
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("signed", "age", "extra"),
    [
        (False, 0, {}),  # missing signature
        (True, 6 * 60, {}),  # older than five minutes
        (True, 0, {"X-Slack-Signature": "v0=" + "0" * 64}),  # bad signature
    ],
    ids=["missing", "stale", "bad"],
)
def test_unverified_requests_get_401_and_change_nothing(
    harness: Harness, signed: bool, age: int, extra: dict[str, str]
) -> None:
    harness.slack.reset()
    with harness.runtime.database.uow() as uow:
        before = uow.state.get("schedule_paused")
    status, _ = harness.command("pause", signed=signed, age=age, headers=extra)
    assert status == 401
    with harness.runtime.database.uow() as uow:
        assert uow.state.get("schedule_paused") == before
    assert harness.slack.methods() == []


def test_help_answers_ephemerally_naming_every_subcommand(harness: Harness) -> None:
    harness.slack.reset()
    status, _ = harness.command("help")
    assert status == 200
    harness.slack.wait_for(lambda: bool(harness.slack.of("response_url")))
    (answer,) = harness.slack.of("response_url")
    assert answer["response_type"] == "ephemeral"
    for word in ("status", "run", "report", "actions", "pause", "resume", "snooze", "help"):
        assert f"`{word}" in answer["blocks"][0]["text"]["text"]


def test_unknown_input_gets_usage(harness: Harness) -> None:
    harness.slack.reset()
    harness.command("dance <@U1>")
    harness.slack.wait_for(lambda: bool(harness.slack.of("response_url")))
    text = harness.slack.of("response_url")[0]["text"]
    assert text.startswith("Unknown command `dance &lt;@U1&gt;`")
