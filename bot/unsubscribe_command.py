"""`income unsubscribe`: suppress an address by hand, list the suppressions, or remove one."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from bot import terminal
from bot.bootstrap import Runtime
from bot.errors import CliError
from engine.clock import utc_now
from engine.unsubscribe import COMPLAINT, REASONS, UNSUBSCRIBED, normalise_address


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `unsubscribe ADDRESS [--reason R] | --list | --remove ADDRESS` to the subcommands."""
    parser = sub.add_parser(
        "unsubscribe", help="stop e-mailing an address (e.g. a mailto: unsubscribe), or --list"
    )
    parser.add_argument("address", nargs="?", help="the address to suppress")
    parser.add_argument(
        "--reason", choices=REASONS, default=UNSUBSCRIBED, help="default: %(default)s"
    )
    parser.add_argument("--list", action="store_true", help="print the suppression list")
    parser.add_argument(
        "--remove",
        action="store_true",
        help="take ADDRESS off the list: e-mail actions send to it again",
    )
    parser.add_argument(
        "--force", action="store_true", help="with --remove: also for a spam complaint"
    )


def run(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    """Suppress `args.address`, print the list with `--list`, or take it off with `--remove`."""
    if args.list:
        if args.address or args.remove:
            raise CliError("--list prints the list: give no address and no --remove with it")
        return _print_list(runtime, console)
    if not args.address:
        raise CliError("give the address to unsubscribe, or --list to see the suppression list")
    if args.force and not args.remove:
        raise CliError("--force only goes with --remove")
    try:
        address = normalise_address(args.address)
    except ValueError as error:
        raise CliError(str(error)) from None
    if args.remove:
        return _remove(runtime, console, address, force=args.force)
    with runtime.database.uow() as uow:
        added = uow.suppressions.add(address, args.reason, utc_now())
        uow.commit()
        entry = next(iter(uow.suppressions.entries([address])), None)
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
        entries = uow.suppressions.entries()
    if not entries:
        console.print("The suppression list is empty.")
        return 0
    table = Table("address", "reason", "since")
    for address, reason, at in entries:
        table.add_row(address, reason, terminal.when(at, runtime.settings.timezone))
    console.print(table)
    console.print(f"{len(entries)} suppressed address{'es' if len(entries) != 1 else ''}.")
    return 0


def _remove(runtime: Runtime, console: Console, address: str, *, force: bool) -> int:
    zone = runtime.settings.timezone
    with runtime.database.uow() as uow:
        entry = next(iter(uow.suppressions.entries([address])), None)
        if entry is None:
            console.print(f"{address} is not on the suppression list; nothing changed.")
            return 0
        _, reason, since = entry
        if reason == COMPLAINT and not force:
            raise CliError(
                f"{address} reported your mail as spam ({terminal.when(since, zone)}); mailing "
                "it again harms your sender reputation. Nothing changed. If they asked to be "
                "mailed again, add --force."
            )
        uow.suppressions.remove(address)
        uow.commit()
    console.print(
        f"{address} is off the suppression list (was {reason} since "
        f"{terminal.when(since, zone)}): e-mail actions will send to it again."
    )
    return 0
