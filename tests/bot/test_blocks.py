"""The message-level limiter and escaping: whatever the data, Slack accepts the message."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot.blocks import MAX_BLOCKS, MAX_MESSAGE_CHARS, escape, limit_message, section
from bot.render import report_message
from engine.kpis import derive
from engine.model import CycleReport, Issue, IssueKind, Severity
from tests.conftest import T0
from tests.engine.test_kpis import snapshot

UTC = ZoneInfo("UTC")


def test_escape_neutralises_mentions_and_links() -> None:
    assert escape("<!channel> & <https://x|y>") == "&lt;!channel&gt; &amp; &lt;https://x|y&gt;"


def test_many_blocks_are_split_into_messages_of_at_most_fifty() -> None:
    messages = limit_message("Report", [section(f"line {n}") for n in range(120)])
    assert [len(m.blocks) for m in messages] == [50, 50, 20]
    assert [m.text for m in messages] == ["Report", "Report (2/3)", "Report (3/3)"]


def test_long_sections_are_clipped_and_big_messages_split_by_size() -> None:
    messages = limit_message("Big", [section("x" * 10_000) for _ in range(10)])
    for message in messages:
        assert len(message.blocks) <= MAX_BLOCKS
        assert len(json.dumps(message.blocks)) <= MAX_MESSAGE_CHARS
        for block in message.blocks:
            assert len(block["text"]["text"]) <= 3000  # type: ignore[index]


def _issue(number: int) -> Issue:
    return Issue(
        id=number, kind=IssueKind.ERROR_SPIKE, severity=Severity.HIGH,
        dedup_key=f"k{number}", headline=f"<@U1> problem {number} " + "y" * 400, metric=1.0,
        threshold=0.5, evidence=(), opened_at=T0, updated_at=T0,
    )  # fmt: skip


def test_a_report_with_hundreds_of_issues_stays_inside_the_limits() -> None:
    issues = tuple(_issue(n) for n in range(300))
    report = CycleReport(
        cycle_id=1, ran_at=T0, kpis=derive(snapshot()), opened=issues, resolved=issues,
        open_issues=issues, proposals=(), advice=(), pending_count=0, expired_count=0,
    )  # fmt: skip
    messages = report_message(report, UTC)
    assert len(messages) == 1
    blocks = json.dumps(messages[0].blocks, ensure_ascii=False)
    assert "<@U1>" not in blocks
    assert "&lt;@U1&gt;" in blocks
    assert "more" in blocks.split("…and ")[1]
    assert len(messages[0].blocks) <= MAX_BLOCKS
