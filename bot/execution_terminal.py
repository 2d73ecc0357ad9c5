"""How executions are reported in the terminal (`income approve`, `income serve` without Slack)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.console import Console, Group, RenderableType
from rich.text import Text

from bot.app import build_client, slack_configured
from bot.bootstrap import Runtime
from bot.terminal import when
from engine.execution_ports import ExecutionReport, Notifier
from engine.execution_report import load_report
from engine.lift import by_kind, describe
from engine.model import ActionState, TargetState
from engine.store import SqlUnitOfWork
from engine.worker import Worker, build_worker


def execution_line(report: ExecutionReport, zone: ZoneInfo) -> Text:
    """One line: the action, its end state, per-target counts and what needs a human."""
    counts = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in report.counts if n)
    style = "green" if report.state.value == "succeeded" else "red"
    line = Text(f"{report.action_id} {report.kind.value} ")
    line.append(report.state.value, style=style)
    line.append(f" at {when(report.finished_at, zone)}: {counts or 'no targets'}")
    if report.error:
        line.append(f" — {report.error}", style="red")
    unknown = report.count(TargetState.UNKNOWN)
    if unknown:
        line.append(
            f" — {unknown} target(s) may or may not have been sent: check them by hand "
            "(they are never resent)",
            style="bold red",
        )
    return line


class TerminalNotifier:
    """Prints each finished execution as one line."""

    def __init__(self, console: Console, zone: ZoneInfo) -> None:
        self._console = console
        self._zone = zone

    def execution_finished(self, report: ExecutionReport) -> None:
        """Print the execution's outcome."""
        self._console.print(execution_line(report, self._zone))

    def lift_measured(self, action_id: str, lift: str) -> None:
        """Print the measured lift."""
        self._console.print(f"Lift measured for {action_id}: {lift}")


EXECUTED = (
    ActionState.APPROVED,
    ActionState.RUNNING,
    ActionState.SUCCEEDED,
    ActionState.FAILED,
    ActionState.UNKNOWN,
)
RECENT_EXECUTIONS = 5


def executions_section(uow: SqlUnitOfWork, zone: ZoneInfo) -> RenderableType:
    """The latest executions with per-target counts, and the lift measured per action kind."""
    reports = [
        report
        for action in uow.actions.find(EXECUTED, limit=RECENT_EXECUTIONS)
        if (report := load_report(uow, action.id)) is not None
    ]
    lifts = by_kind(uow.lifts.all())
    parts: list[RenderableType] = [Text("Recent executions", style="bold")]
    parts.extend(Text("  ").append_text(execution_line(r, zone)) for r in reports)
    if not reports:
        parts.append(Text("  none yet", style="dim"))
    parts.append(Text("Measured lift (against the held-out control)", style="bold"))
    parts.extend(Text(f"  {kind.value}: {describe(lift)}") for kind, lift in lifts.items())
    if not lifts:
        parts.append(Text("  none measured yet: lift is measured when an action's window closes"))
    return Group(*parts)


def worker_for(runtime: Runtime, notifier: Notifier) -> Worker:
    """The execution worker of this process, on the same clock as decisions."""
    settings = runtime.settings
    return build_worker(
        settings,
        runtime.database,
        runtime.shop,
        notifier=notifier,
        clock=runtime.decision_time,
        slack=build_client(settings) if slack_configured(settings) else None,
    )
