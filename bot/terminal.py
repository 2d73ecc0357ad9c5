"""Render reports, status and actions for the terminal with rich: data in, renderables out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from engine.clock import local
from engine.model import (
    SEVERITY_RANK,
    Action,
    CycleReport,
    Issue,
    Kpis,
    ProposalView,
    Severity,
)

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "dim",
}


def when(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in the business's timezone, e.g. 'Mon 30 Nov 14:05 CET'."""
    return local(moment, zone).strftime("%a %d %b %H:%M %Z")


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _delta(growth_pct: float | None) -> Text:
    if growth_pct is None:
        return Text("no comparison", style="dim")
    arrow = "▲" if growth_pct > 0 else "▼" if growth_pct < 0 else "="
    style = "green" if growth_pct > 0 else "red" if growth_pct < 0 else "dim"
    return Text(f"{arrow} {abs(growth_pct):.1f}%", style=style)


def kpi_table(figures: Kpis) -> Table:
    """The KPIs of the last 24 h with their change against the 24 h before."""
    table = Table(title="Last 24 hours", title_justify="left", show_edge=False, expand=False)
    table.add_column("KPI")
    table.add_column("Value", justify="right")
    table.add_column("vs previous 24 h", justify="right")
    table.add_row("Revenue", figures.revenue.format(), _delta(figures.revenue_growth_pct))
    table.add_row("Orders", f"{figures.orders:,}", _delta(figures.orders_growth_pct))
    table.add_row("Conversion", _pct(figures.conversion_rate), "")
    abandoned = f"{figures.abandoned_carts:,} ({_pct(figures.abandonment_rate)} of carts)"
    table.add_row("Abandoned carts", abandoned, "")
    table.add_row("Payment success", _pct(figures.payment_success_rate), "")
    table.add_row("Churn (30 days)", _pct(figures.churn_rate), "")
    table.add_row("Errors", f"{figures.errors:,}", "")
    table.add_row("Refunds", figures.refunds.format(), "")
    table.add_row("Discounts", figures.discounts.format(), "")
    return table


def issue_lines(
    issues: Sequence[Issue], zone: ZoneInfo, title: str, new_ids: frozenset[int] = frozenset()
) -> RenderableType:
    """Issues by severity, each with its evidence; those in `new_ids` are marked NEW."""
    if not issues:
        return Text(f"{title}: none", style="green")
    lines: list[RenderableType] = [Text(title, style="bold")]
    for issue in sorted(issues, key=lambda i: (SEVERITY_RANK[i.severity], i.kind.value)):
        head = Text("  ")
        if issue.id in new_ids:
            head.append("NEW ", style="bold")
        head.append(f" {issue.severity.value.upper()} ", style=_SEVERITY_STYLE[issue.severity])
        head.append(f" {issue.headline}")
        head.append(f"  (since {when(issue.opened_at, zone)})", style="dim")
        lines.append(head)
        lines.extend(
            Text(f"      {label}: {value}", style="dim") for label, value in issue.evidence
        )
    return Group(*lines)


def proposal_lines(proposals: Sequence[ProposalView], title: str) -> RenderableType:
    """Proposals with their ids, value and why the learner chose them."""
    if not proposals:
        return Text(f"{title}: none", style="dim")
    lines: list[RenderableType] = [Text(title, style="bold")]
    for view in proposals:
        value = f" · expected {view.expected_value.format()}" if view.expected_value else ""
        line = Text("  ")
        line.append(view.action_id, style="bold cyan")
        line.append(f"  {view.title}{value}")
        lines.append(line)
        lines.append(Text(f"      why: {view.reason}", style="dim"))
        if view.runnable:
            lines.append(Text(f"      approve: income approve {view.action_id}", style="dim"))
    return Group(*lines)


def report_renderable(report: CycleReport, zone: ZoneInfo) -> RenderableType:
    """A whole cycle report: KPIs, issues, proposals and advice."""
    header = Text(f"Income Engine · cycle {report.cycle_id} · {when(report.ran_at, zone)}")
    header.stylize("bold")
    parts: list[RenderableType] = [header, kpi_table(report.kpis)]
    new_ids = frozenset(issue.id for issue in report.opened)
    parts.append(issue_lines(report.open_issues, zone, "Open issues", new_ids))
    if report.resolved:
        parts.append(Text("Resolved: " + "; ".join(i.headline for i in report.resolved), "green"))
    parts.append(proposal_lines(report.proposals, "New proposals"))
    if report.advice:
        parts.append(proposal_lines(report.advice, "Advice (no executor configured)"))
    if report.lifts:
        parts.append(Text("Measured lift (against the held-out control)", style="bold"))
        parts.extend(Text(f"  {kind}: {line}") for kind, line in report.lifts)
    footer = f"{report.pending_count} proposal(s) awaiting a decision"
    if report.expired_count:
        footer += f"; {report.expired_count} expired undecided"
    parts.append(Text(footer, style="dim"))
    return Group(*parts)


def quiet_line(report: CycleReport, zone: ZoneInfo) -> Text:
    """One line for a cycle with nothing new to say."""
    open_count = len(report.open_issues)
    return Text(
        f"cycle {report.cycle_id} · {when(report.ran_at, zone)} · revenue "
        f"{report.kpis.revenue.format()} · {open_count} open issue(s) · nothing new",
        style="dim",
    )


def actions_table(actions: Sequence[Action], zone: ZoneInfo) -> RenderableType:
    """Actions with id, state, kind, title, targets and expiry."""
    if not actions:
        return Text("No actions awaiting a decision.", style="dim")
    table = Table(show_edge=False)
    for column in ("id", "state", "kind"):
        table.add_column(column, no_wrap=True)
    table.add_column("title", ratio=1)
    table.add_column("targets", justify="right")
    table.add_column("expires")
    for action in actions:
        table.add_row(
            action.id,
            action.state.value,
            action.candidate.kind.value,
            action.candidate.title,
            str(len(action.candidate.targets)),
            when(action.expires_at, zone),
        )
    return table
