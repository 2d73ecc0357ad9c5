"""What each `income` subcommand does; `bot.cli` parses, this module acts and prints."""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import threading
from dataclasses import replace
from typing import Any

from rich.console import Console

from bot import terminal
from bot.app import slack_configured
from bot.bootstrap import Runtime, build_runtime
from bot.check import check_slack
from bot.closed_loop import AUTO_DECIDE_PROPOSALS
from bot.demo_runner import run_demo, seed_demo
from bot.errors import CliError
from bot.execution_terminal import TerminalNotifier, executions_section, worker_for
from bot.mailbox_command import printer, with_mailbox
from bot.mailbox_command import run as _mailbox
from bot.send_test import SendTestError, send_test_email
from bot.serve import Extras, Service
from bot.slack_process import SlackProcess
from bot.unsubscribe_command import run as _unsubscribe
from engine import kpis
from engine.cycle import CycleBusyError
from engine.model import Action, ActionState, CycleReport, RejectReason
from engine.ports import DecisionOutcome, DecisionResult
from engine.settings import Settings
from engine.store import Database

DECIDABLE = (ActionState.PROPOSED,)
NOT_APPROVED = (ActionState.REJECTED, ActionState.EXPIRED, ActionState.CANCELLED)


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the parsed subcommand; return the exit status."""
    console = Console(highlight=False)
    if args.command == "db":
        Database(settings.database_url).upgrade()
        console.print("Database is up to date.")
        return 0
    runtime = build_runtime(settings)
    try:
        return _run(args, runtime, console)
    finally:
        runtime.database.dispose()


def _run(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    handlers = {
        "demo": _demo,
        "cycle": _cycle,
        "status": _status,
        "actions": _actions,
        "approve": _approve,
        "reject": _reject,
        "serve": _serve,
        "send-test": _send_test,
        "check": _check,
        "unsubscribe": _unsubscribe,
        "mailbox": _mailbox,
    }
    return handlers[args.command](args, runtime, console)


def _demo(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    if args.demo_command == "seed":
        seed_demo(
            runtime, console, scenario=args.seed_scenario, seed=args.seed_seed, days=args.days
        )
        return 0
    if args.chart is not None and not args.auto_decide:
        raise CliError("--chart draws the --auto-decide run: add --auto-decide")
    limit = args.max_proposals
    if limit is None and args.auto_decide:
        limit = AUTO_DECIDE_PROPOSALS  # with more, every runnable kind is proposed each hour
    if limit is not None:
        runtime = replace(runtime, config=replace(runtime.config, max_proposals=limit))
    run_demo(
        runtime,
        console,
        scenario=args.scenario,
        seed=args.seed,
        hours=args.hours,
        fresh=args.fresh,
        auto_decide=args.auto_decide,
        chart=args.chart,
    )
    return 0


def _cycle(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    del args
    try:
        report = runtime.run_wall_clock_cycle(trigger="manual")
    except CycleBusyError as error:
        raise CliError(str(error)) from None
    console.print(terminal.report_renderable(report, runtime.settings.timezone))
    return 0


def _serve(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    del args
    zone = runtime.settings.timezone

    def notify(report: CycleReport) -> None:
        if report.needs_attention:
            console.print(terminal.report_renderable(report, zone))
        else:
            console.print(terminal.quiet_line(report, zone))

    slack = SlackProcess(runtime) if slack_configured(runtime.settings) else None
    if slack is None:
        service = Service(runtime, notify, extras=with_mailbox(Extras(), runtime, printer(console)))
        worker = worker_for(runtime, TerminalNotifier(console, zone))
    else:
        extras = with_mailbox(slack.extras(), runtime, slack.tell_channel)
        service = Service(runtime, slack.notify, extras=extras)
        worker = worker_for(runtime, slack.notifier)
        slack.start_socket_mode()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    service.start()
    worker.start()
    routes = "GET /healthz, GET and POST /unsubscribe"
    routes += "" if slack is None else ", POST /slack/events"
    console.print(
        f"Serving on port {service.http.port}: {routes}; a cycle every "
        f"{runtime.settings.interval_seconds} s (Ctrl-C stops)."
    )
    if runtime.settings.imap_url:
        console.print("The sender's mailbox (INCOME_IMAP_URL) is read every cycle.")
    stop.wait()
    console.print("Stopping: waiting for a running cycle and execution to finish.")
    worker.stop()
    service.stop()
    if slack is not None:
        slack.stop()
    return 0


def _check(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    del args
    problems = 0
    for ok, line in check_slack(runtime.settings):
        console.print(("[green]ok[/green]   " if ok else "[red]FAIL[/red] ") + line)
        problems += not ok
    return 1 if problems else 0


def _status(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    del args
    zone = runtime.settings.timezone
    with runtime.database.uow() as uow:
        snapshot = uow.snapshots.latest()
        open_issues = uow.issues.open_issues()
        pending = uow.actions.find(DECIDABLE)
        executions = executions_section(uow, zone)
    if snapshot is None:
        console.print("No cycle has run yet: try `income demo` or `income cycle`.")
        return 0
    console.print(f"[bold]Status as of {terminal.when(snapshot.taken_at, zone)}[/bold]")
    console.print(terminal.kpi_table(kpis.derive(snapshot)))
    console.print(terminal.issue_lines(open_issues, zone, "Open issues"))
    console.print(terminal.actions_table(pending, zone))
    console.print(executions)
    return 0


def _actions(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    states = None if args.all else DECIDABLE
    with runtime.database.uow() as uow:
        actions = uow.actions.find(states)
    if args.json:
        print(json.dumps([action_json(a) for a in actions], indent=2))  # noqa: T201 - machine output
        return 0
    console.print(terminal.actions_table(actions, runtime.settings.timezone))
    return 0


def action_json(action: Action) -> dict[str, Any]:
    """An action as `income actions --json` lists it."""
    candidate = action.candidate
    return {
        "id": action.id,
        "kind": candidate.kind.value,
        "state": action.state.value,
        "title": candidate.title,
        "targets": [
            {"key": t.key, "customer_id": t.customer_id, "ref": t.ref, "value": t.value}
            for t in candidate.targets
        ],
        "expected_value": (
            None
            if candidate.expected_value is None
            else {
                "amount": candidate.expected_value.amount,
                "currency": candidate.expected_value.currency,
            }
        ),
        "runnable": candidate.runnable,
        "reason": action.reason,
        "expires_at": action.expires_at.isoformat(),
    }


def _actor(args: argparse.Namespace) -> str:
    return str(args.actor) if args.actor else f"cli:{getpass.getuser()}"


def _approve(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    worker = worker_for(runtime, TerminalNotifier(console, runtime.settings.timezone))
    now = runtime.decision_time()
    with runtime.database.uow() as uow:
        result = uow.actions.approve(args.action_id, _actor(args), now)
        uow.commit()
    _explain(result, args.action_id, runtime)
    console.print(
        f"Approved {args.action_id} as {_actor(args)} at "
        f"{terminal.when(now, runtime.settings.timezone)}; executing it now."
    )
    worker.run_once()
    return 0


def _send_test(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    try:
        send_test_email(runtime, args.action_id, args.to)
    except SendTestError as error:
        raise CliError(str(error)) from None
    console.print(f"Sent a test of {args.action_id} to {args.to}; nothing was recorded.")
    return 0


def _reject(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    now = runtime.decision_time()
    reason = RejectReason(args.reason)
    with runtime.database.uow() as uow:
        result = uow.actions.reject(args.action_id, _actor(args), now, reason, args.note)
        uow.commit()
    _explain(result, args.action_id, runtime)
    console.print(f"Rejected {args.action_id} ({reason.value}); the learner will weigh it.")
    return 0


def _explain(result: DecisionResult, action_id: str, runtime: Runtime) -> None:
    """Raise a CliError saying why a decision changed nothing."""
    if result.ok:
        return
    zone = runtime.settings.timezone
    outcome = result.outcome
    if outcome is DecisionOutcome.NOT_FOUND:
        raise CliError(f"no action with id {action_id!r} (see `income actions`)")
    if outcome is DecisionOutcome.ALREADY_DECIDED and result.action is not None:
        by = result.decided_by or "someone"
        at = terminal.when(result.decided_at, zone) if result.decided_at else "an earlier time"
        state = result.action.state
        verb = state.value if state in NOT_APPROVED else "approved"
        now = "" if state.value == verb else f" (now {state.value})"
        raise CliError(f"{action_id} was already {verb} by {by} at {at}{now}; nothing changed")
    if outcome is DecisionOutcome.EXPIRED:
        raise CliError(f"{action_id} expired before anyone decided; it can no longer be approved")
    if outcome is DecisionOutcome.NOT_RUNNABLE:
        raise CliError(f"{action_id} is advice only: nothing is configured to carry it out")
    raise CliError(f"{action_id}: {outcome.value.replace('_', ' ')}; nothing changed")
