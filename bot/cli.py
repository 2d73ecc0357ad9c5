"""The `income` command: the demo, one cycle, status and decisions for people without Slack."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from bot import commands, mailbox_command, unsubscribe_command
from bot.errors import CliError
from engine.logs import KeyValueFormatter
from engine.model import RejectReason
from engine.settings import SCENARIOS, ConfigError, load_settings
from engine.store import StoreError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="income", description="Income Engine: watch the business, propose, approve, learn."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each cycle step")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run cycles on the built-in demo shop (simulated clock)")
    demo.add_argument("--scenario", choices=SCENARIOS, help="incident to simulate")
    demo.add_argument("--hours", type=_positive, default=1, help="cycles to run (default 1)")
    demo.add_argument("--seed", type=_non_negative, help="simulator seed")
    demo.add_argument("--fresh", action="store_true", help="start a new demo shop")
    demo.add_argument(
        "--auto-decide",
        action="store_true",
        help="a simulated owner decides every proposal from the shop's hidden preferences",
    )
    demo.add_argument("--chart", type=Path, help="with --auto-decide: write the chart (PNG) here")
    demo.add_argument(
        "--max-proposals",
        type=_positive,
        help=(
            "runnable proposals per cycle at most (default INCOME_MAX_PROPOSALS; "
            "with --auto-decide 1, so the learner has to choose)"
        ),
    )
    demo_sub = demo.add_subparsers(dest="demo_command", metavar="SUBCOMMAND")
    seed = demo_sub.add_parser("seed", help="(re)seed the demo shop's history")
    seed.add_argument("--days", type=_positive, default=28, help="days of history (default 28)")
    seed.add_argument("--scenario", choices=SCENARIOS, dest="seed_scenario")
    seed.add_argument("--seed", type=_non_negative, dest="seed_seed")

    sub.add_parser("cycle", help="run one cycle now on the configured source")
    sub.add_parser("serve", help="run the schedule and the HTTP server (wall clock)")
    sub.add_parser("check", help="verify the Slack token, scopes, channel, approvers, on-call")
    sub.add_parser("status", help="KPIs now, open issues and pending approvals")
    actions = sub.add_parser("actions", help="proposals awaiting a decision")
    actions.add_argument("--json", action="store_true", help="print JSON")
    actions.add_argument("--all", action="store_true", help="every recent action, any state")

    approve = sub.add_parser("approve", help="approve a proposal (queues its execution)")
    approve.add_argument("action_id")
    approve.add_argument("--as", dest="actor", help="who is approving (default: cli:$USER)")
    test = sub.add_parser("send-test", help="e-mail a proposal's exact content to yourself first")
    test.add_argument("action_id")
    test.add_argument("--to", required=True, help="your own address")
    reject = sub.add_parser("reject", help="reject a proposal with a reason")
    reject.add_argument("action_id")
    reject.add_argument("--reason", required=True, choices=[r.value for r in RejectReason])
    reject.add_argument("--note", help="free text for the audit log")
    reject.add_argument("--as", dest="actor", help="who is rejecting (default: cli:$USER)")

    unsubscribe_command.add_parser(sub)
    mailbox_command.add_parser(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    db_sub.add_parser("upgrade", help="apply database migrations")
    return parser


def _positive(raw: str) -> int:
    value = _non_negative(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {raw}")
    return value


def _non_negative(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {raw}")
    return value


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger("income")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `income` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    try:
        settings = load_settings()
        return commands.dispatch(args, settings)
    except (ConfigError, StoreError, CliError) as error:
        print(f"income: {error}", file=sys.stderr)
        return 1 if isinstance(error, CliError) else 2
    except KeyboardInterrupt:
        print("income: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if args.verbose:
            traceback.print_exc()
        hint = "" if args.verbose else " (run with -v for the traceback)"
        print(f"income: unexpected {type(error).__name__}: {error}{hint}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
