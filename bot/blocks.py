"""Block Kit rendering (pure): messages Slack accepts, whatever the data.

slack_sdk checks each block; this module also enforces the message-level limits it does not
check (50 blocks, total size) by summarising lists and splitting messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from engine.clock import local
from engine.model import Issue, Kpis, Severity

MAX_BLOCKS = 50
MAX_MESSAGE_CHARS = 12_000  # serialised blocks per message, well inside Slack's payload limit
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_TEXT_CHARS = 3000  # the top-level notification text
MAX_LISTED = 10  # issues or proposals listed before the rest are summarised
MAX_LINE_CHARS = 400

SEVERITY_ICON = {
    Severity.CRITICAL: ":rotating_light:",
    Severity.HIGH: ":red_circle:",
    Severity.MEDIUM: ":large_orange_circle:",
    Severity.LOW: ":white_circle:",
}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: its notification text and its blocks as dicts."""

    text: str
    blocks: tuple[dict[str, object], ...]


def escape(text: str) -> str:
    """Escape &, < and > so outside text can never mention people or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(markdown: str) -> SectionBlock:
    """A mrkdwn section, clipped to Slack's 3000 characters."""
    return SectionBlock(text=MarkdownTextObject(text=clip(markdown, MAX_SECTION_CHARS)))


def header(plain: str) -> HeaderBlock:
    """A header, clipped to Slack's 150 characters."""
    return HeaderBlock(text=clip(plain, MAX_HEADER_CHARS))


def context(*markdown: str) -> ContextBlock:
    """A context line of up to ten mrkdwn elements."""
    return ContextBlock(
        elements=[MarkdownTextObject(text=clip(m, MAX_SECTION_CHARS)) for m in markdown[:10]]
    )


def divider() -> DividerBlock:
    """A divider."""
    return DividerBlock()


def hhmm(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the business's local 'HH:MM'."""
    return local(moment, zone).strftime("%H:%M")


def stamp(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as the business's local 'Mon 30 Nov 14:05 CET'."""
    return local(moment, zone).strftime("%a %d %b %H:%M %Z")


def pct(rate: float | None) -> str:
    """A rate for people: '12.5%' or '—'."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def growth(value: float | None) -> str:
    """A change against the previous window: '▲ 3.0%'."""
    if value is None:
        return "no comparison"
    arrow = "▲" if value > 0 else "▼" if value < 0 else "="
    return f"{arrow} {abs(value):.1f}%"


def kpi_blocks(figures: Kpis) -> list[Block]:
    """The headline KPIs as one section with fields."""
    lines = [
        f"*Revenue* {figures.revenue.format()} ({growth(figures.revenue_growth_pct)})",
        f"*Orders* {figures.orders:,} ({growth(figures.orders_growth_pct)})",
        f"*Conversion* {pct(figures.conversion_rate)}",
        f"*Cart abandonment* {pct(figures.abandonment_rate)}",
        f"*Payment success* {pct(figures.payment_success_rate)}",
        f"*Churn* {pct(figures.churn_rate)} · *Errors* {figures.errors:,}",
    ]
    return [section("\n".join(lines))]


def issue_line(issue: Issue, zone: ZoneInfo) -> str:
    """One issue: icon, severity, escaped headline, since when."""
    icon = SEVERITY_ICON[issue.severity]
    since = stamp(issue.opened_at, zone)
    return f"{icon} *{issue.severity.value}* {escape(issue.headline)} · #{issue.id} since {since}"


def issue_blocks(issues: Sequence[Issue], zone: ZoneInfo, title: str) -> list[Block]:
    """A titled list of issues that fits one section; the ones left out are counted."""
    if not issues:
        return [context(f"{title}: none")]
    return [section(f"*{title}*\n" + fit_lines([issue_line(i, zone) for i in issues]))]


def fit_lines(lines: Sequence[str], budget: int = MAX_SECTION_CHARS - 40) -> str:
    """Up to `MAX_LISTED` lines within `budget` characters, then '…and N more'."""
    kept: list[str] = []
    used = 0
    for line in lines[:MAX_LISTED]:
        line = clip(line, MAX_LINE_CHARS)  # noqa: PLW2901 - each line is clipped before counting
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    if len(lines) > len(kept):
        kept.append(f"…and {len(lines) - len(kept)} more")
    return "\n".join(kept)


def _size(blocks: Sequence[dict[str, object]]) -> int:
    return len(json.dumps(blocks, ensure_ascii=False))


def limit_message(text: str, blocks: Sequence[Block]) -> list[Message]:
    """Split blocks into messages Slack accepts: ≤ 50 blocks and bounded size each."""
    dicts = [block.to_dict() for block in blocks]
    messages: list[list[dict[str, object]]] = [[]]
    for block in dicts:
        current = messages[-1]
        if current and (len(current) >= MAX_BLOCKS or _size([*current, block]) > MAX_MESSAGE_CHARS):
            messages.append([])
        messages[-1].append(block)
    total = len(messages)
    head = clip(text, MAX_TEXT_CHARS)
    return [
        Message(head if index == 0 else f"{clip(text, 200)} ({index + 1}/{total})", tuple(part))
        for index, part in enumerate(messages)
    ]
