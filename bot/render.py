"""Reports, status, alerts and App Home as Block Kit (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot.blocks import (
    MAX_BLOCKS,
    Message,
    context,
    divider,
    escape,
    fit_lines,
    header,
    issue_blocks,
    kpi_blocks,
    limit_message,
    section,
    stamp,
)
from engine.model import Action, CycleReport, Issue, Kpis, ProposalView

ACKNOWLEDGE, SNOOZE = "acknowledge_issue", "snooze_issue"
SNOOZE_HOURS = 4


def _proposal_line(view: ProposalView) -> str:
    value = f" · expected {view.expected_value.format()}" if view.expected_value else ""
    return f"• `{view.action_id}` {escape(view.title)}{value}"


def _report_text(report: CycleReport) -> str:
    revenue = report.kpis.revenue.format()
    if report.opened:
        return f"{escape(report.opened[0].headline)} · revenue {revenue}"
    if report.resolved:
        return f"Resolved: {escape(report.resolved[0].headline)} · revenue {revenue}"
    return (
        f"Income report: {len(report.open_issues)} open issue(s), "
        f"{len(report.proposals)} new proposal(s) · revenue {revenue}"
    )


def report_message(report: CycleReport, zone: ZoneInfo) -> list[Message]:
    """A cycle report (its proposal cards are posted as messages of their own)."""
    blocks: list[Block] = [
        header(f"Income Engine · cycle {report.cycle_id}"),
        context(stamp(report.ran_at, zone)),
        *kpi_blocks(report.kpis),
    ]
    if report.opened:
        blocks += issue_blocks(report.opened, zone, "New issues")
    blocks += issue_blocks(report.open_issues, zone, "Open issues")
    if report.resolved:
        lines = [f":white_check_mark: {escape(i.headline)}" for i in report.resolved]
        blocks.append(section("*Resolved*\n" + fit_lines(lines)))
    views = [*report.proposals, *report.advice]
    if views:
        listed = fit_lines([_proposal_line(view) for view in views])
        blocks.append(section(f"*New proposals* (cards below)\n{listed}"))
    if report.lifts:
        lines = [f"• `{kind}`: {escape(line)}" for kind, line in report.lifts]
        blocks.append(
            section("*Measured lift* (against the held-out control)\n" + fit_lines(lines))
        )
    footer = f"{report.pending_count} proposal(s) awaiting a decision"
    if report.expired_count:
        footer += f"; {report.expired_count} expired undecided"
    blocks.append(context(footer))
    return limit_message(_report_text(report), blocks)


def quiet_message(report: CycleReport, zone: ZoneInfo) -> Message:
    """The day's status line, edited in place while nothing needs attention."""
    text = (
        f"All quiet · last cycle {stamp(report.ran_at, zone)} · revenue "
        f"{report.kpis.revenue.format()} · {len(report.open_issues)} open issue(s)"
    )
    return limit_message(text, [section(text)])[0]


def status_message(
    figures: Kpis | None, issues: Sequence[Issue], pending: Sequence[Action], zone: ZoneInfo
) -> Message:
    """`/income status`: KPIs now, open issues and pending approvals."""
    if figures is None:
        text = "No cycle has run yet: try `/income run`."
        return Message(text, (section(text).to_dict(),))
    pending_lines = fit_lines([f"• `{a.id}` {escape(a.candidate.title)}" for a in pending])
    blocks: list[Block] = [
        *kpi_blocks(figures),
        *issue_blocks(issues, zone, "Open issues"),
        section("*Pending approvals*\n" + (pending_lines or "none")),
    ]
    text = f"Revenue {figures.revenue.format()} · {len(issues)} open issue(s)"
    return limit_message(f"{text} · {len(pending)} pending", blocks)[0]


def alert_message(issue: Issue, oncall: Sequence[str], zone: ZoneInfo, state: str) -> Message:
    """A critical alert: text starts with the headline and mentions the on-call users."""
    mentions = " ".join(f"<@{user}>" for user in oncall)
    text = f"{escape(issue.headline)} {mentions}".strip()
    evidence = fit_lines([f"• {escape(k)}: {escape(v)}" for k, v in issue.evidence])
    blocks: list[Block] = [
        section(f":rotating_light: *{text}*"),
        context(
            f"Issue #{issue.id} · {issue.severity.value} · since {stamp(issue.opened_at, zone)}"
        ),
    ]
    if evidence:
        blocks.append(section(evidence))
    if state:
        blocks.append(section(f"*{state}*"))
    if issue.resolved_at is None and not state.startswith("Acknowledged"):
        blocks.append(_alert_buttons(issue.id))
    return limit_message(text, blocks)[0]


def _alert_buttons(issue_id: int) -> ActionsBlock:
    value = str(issue_id)
    return ActionsBlock(
        block_id=f"alert:{issue_id}",
        elements=[
            ButtonElement(text="Acknowledge", action_id=ACKNOWLEDGE, value=value, style="primary"),
            ButtonElement(text=f"Snooze {SNOOZE_HOURS} h", action_id=SNOOZE, value=value),
        ],
    )


def home_view(
    status: Message, preferences: Sequence[tuple[str, str]], zone: ZoneInfo, now_label: str
) -> View:
    """App Home: the status blocks plus what the learner prefers now and why."""
    del zone
    lines = fit_lines([f"• *{escape(arm)}*: {escape(why)}" for arm, why in preferences])
    learner = section("*What the learner prefers now*\n" + (lines or "nothing yet"))
    blocks = [
        header("Income Engine").to_dict(),
        context(now_label).to_dict(),
        *status.blocks,
        divider().to_dict(),
        learner.to_dict(),
    ]
    return View(type="home", blocks=blocks[:MAX_BLOCKS])
