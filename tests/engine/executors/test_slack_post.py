"""The Slack post executor against the local recording Slack Web API server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import create_engine

from engine.demo import DemoShop
from engine.execution_ports import ExecutionJob
from engine.executors.registry import build_executors
from engine.executors.slack_post import SlackPostExecutor
from engine.model import ActionKind, Target, TargetState
from engine.settings import load_settings
from tests.bot.slack.slack_server import BOT_TOKEN, SlackServer

CHANNEL = "C_INCOME"
JOB = ExecutionJob(
    action_id="a1social",
    kind=ActionKind.SOCIAL_POST,
    variant="best_seller",
    subject="Our best seller: Espresso Blend <500 g>",
    body="2,379 sold in 30 days & counting. <!channel>",
    params=(),
    at=datetime(2026, 11, 30, 12, tzinfo=UTC),
)
PRODUCT = Target(key="product:1", ref="1")


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    server = SlackServer(member_of={CHANNEL}).start()
    yield server
    server.stop()


def client(server: SlackServer) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=server.api_url)


def test_the_approved_draft_is_posted_once_escaped(slack: SlackServer) -> None:
    executor = SlackPostExecutor(client(slack), CHANNEL)
    assert executor.idempotent is False  # an in-flight post becomes unknown, never resent
    delivery = executor.open(JOB)
    (result,) = delivery.send([PRODUCT], ["a1social:product:1"])
    delivery.close()
    assert result.state is TargetState.SENT
    (posted,) = slack.of("chat.postMessage")
    assert posted["channel"] == CHANNEL
    assert "Espresso Blend &lt;500 g&gt;" in posted["text"]
    assert "&amp; counting. &lt;!channel&gt;" in posted["text"]
    assert "<!channel>" not in posted["text"]


def test_a_channel_the_bot_is_not_in_fails_with_slacks_reason(slack: SlackServer) -> None:
    delivery = SlackPostExecutor(client(slack), "C_ELSEWHERE").open(JOB)
    (result,) = delivery.send([PRODUCT], ["k"])
    assert result.state is TargetState.FAILED
    assert result.detail == "Slack refused: not_in_channel"


def test_registry_posts_social_drafts_to_the_channel_when_slack_is_set(
    slack: SlackServer, tmp_path: Path
) -> None:
    shop = DemoShop(create_engine(f"sqlite:///{tmp_path / 'shop.db'}"), timezone=ZoneInfo("UTC"))
    settings = load_settings({"INCOME_CHANNEL": CHANNEL}, dotenv=None)
    assert ActionKind.SOCIAL_POST not in build_executors(settings, shop)
    executors = build_executors(settings, shop, slack=client(slack))
    assert isinstance(executors[ActionKind.SOCIAL_POST], SlackPostExecutor)
