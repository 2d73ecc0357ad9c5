"""`income mailbox`: read the sender's mailbox once; `income serve` also reads it every cycle."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import replace

from rich.console import Console

from bot.bootstrap import Runtime
from bot.errors import CliError
from bot.serve import Extras, Job
from engine.clock import utc_now
from engine.executors.imap import ImapMailbox, MailboxError
from engine.logs import event
from engine.mailbox_sync import MailboxSummary, sync

log = logging.getLogger("income.mailbox")
NOT_SET = "INCOME_IMAP_URL is not set: give the sender's mailbox, imaps://user:password@host"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `mailbox` to the subcommands."""
    sub.add_parser(
        "mailbox",
        help="suppress what the sender's unread mail asks for (unsubscribes, bounces, complaints)",
    )


def read_mailbox(mailbox: ImapMailbox, runtime: Runtime) -> MailboxSummary:
    """Read the mailbox's new unread mail into the suppression list once."""
    with mailbox.open() as inbox:
        return sync(inbox, runtime.database.uow, utc_now())


def run(args: argparse.Namespace, runtime: Runtime, console: Console) -> int:
    """Read the mailbox once and print what it found."""
    del args
    if runtime.settings.imap_url is None:
        raise CliError(NOT_SET)
    try:
        summary = read_mailbox(ImapMailbox.from_url(runtime.settings.imap_url), runtime)
    except MailboxError as error:
        raise CliError(str(error)) from None
    console.print(summary.line(), soft_wrap=True)
    return 0


def mailbox_job(runtime: Runtime, tell: Callable[[str], None] | None = None) -> Job | None:
    """The serve process's job reading the mailbox every cycle, when INCOME_IMAP_URL is set.

    `tell` hears once when readings start failing and once when they work again; every
    failure is logged.
    """
    if runtime.settings.imap_url is None:
        return None
    mailbox = ImapMailbox.from_url(runtime.settings.imap_url)
    failing = False

    def read_and_log() -> None:
        nonlocal failing
        try:
            summary = read_mailbox(mailbox, runtime)
        except MailboxError as error:
            event(log, "mailbox_error", logging.WARNING, error=str(error))
            if not failing and tell is not None:
                tell(f"{FAILING}: {error}. {WAITING}")
            failing = True
            return
        event(log, "mailbox_read", summary=summary.line())
        if failing and tell is not None:
            tell(f"The sender's mailbox is read again: {summary.line()}.")
        failing = False

    return Job("mailbox", read_and_log, runtime.settings.interval_seconds)


def with_mailbox(extras: Extras, runtime: Runtime, tell: Callable[[str], None]) -> Extras:
    """`extras` plus the job reading the sender's mailbox (when one is configured)."""
    job = mailbox_job(runtime, tell)
    return extras if job is None else replace(extras, jobs=(*extras.jobs, job))


def printer(console: Console) -> Callable[[str], None]:
    """Print a notice as it is (an error may hold brackets, which are not markup)."""
    return lambda text: console.print(text, markup=False, highlight=False)


FAILING = "The sender's mailbox could not be read"
WAITING = "Unsubscribe requests and bounce reports sent to it wait until it can be read."
