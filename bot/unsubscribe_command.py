"""`income unsubscribe`: suppress an address by hand (a `mailto:` request), or list them all."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from bot import terminal
from bot.bootstrap import Runtime
from bot.errors import CliError
from engine.clock import utc_now
from engine.unsubscribe import REASONS, UNSUBSCRIBED, normalise_address


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `unsubscribe ADDRESS [--reason R] | --list` to the subcommands."""
    parser = sub.add_parser(
        "unsubscribe", help="stop e-mailing an address (e.g. a mailto: unsubscribe), or --list"
    )
    parser.add_argument("address", nargs="?", help="the address to suppress")
    parser.add_argument(
        "--reason", choices=REASONS, default=UNSUBSCRIBED, help="default: %(default)s"
    )
    parser.add_argument("--list", action="store_true", help="print the suppression list")


def run(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    """Suppress `args.address`, or print the list with `--list`."""
    if args.list:
        if args.address:
            raise CliError("give an address or --list, not both")
        return _print_list(runtime, console)
    if not args.address:
        raise CliError("give the address to unsubscribe, or --list to see the suppression list")
    try:
        address = normalise_address(args.address)
    except ValueError as error:
        raise CliError(str(error)) from None
    with runtime.database.uow() as uow:
        added = uow.executions.suppress(address, args.reason, utc_now())
        uow.commit()
        entry = next(iter(uow.executions.suppressions([address])), None)
    if added:
        console.print(f"Suppressed {address} ({args.reason}): no e-mail action will send to it.")
    elif entry is not None:
        since = terminal.when(entry[2], runtime.settings.timezone)
        console.print(
            f"{address} was already suppressed ({entry[1]}) since {since}; nothing changed."
        )
    return 0


def _print_list(runtime: Runtime, console: Console) -> int:
    with runtime.database.uow() as uow:
        entries = uow.executions.suppressions()
    if not entries:
        console.print("The suppression list is empty.")
        return 0
    table = Table("address", "reason", "since")
    for address, reason, at in entries:
        table.add_row(address, reason, terminal.when(at, runtime.settings.timezone))
    console.print(table)
    console.print(f"{len(entries)} suppressed address{'es' if len(entries) != 1 else ''}.")
    return 0
