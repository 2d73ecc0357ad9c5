"""Reading a busy sender's mailbox: the first reading, and the next one with nothing new.

    python -m bench.mailbox --messages 10000 --requests 0.2

A local IMAP server (the tests' one, in this process) holds `--messages` unread messages, of
which `--requests` are unsubscribe requests and bounce reports in equal parts and the rest
mail for people; `engine.mailbox_sync.sync` reads them into a temporary SQLite database.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime

from engine.executors.imap import ImapMailbox
from engine.mailbox_sync import MailboxSummary, sync
from engine.store import Database
from tests.engine.executors.imap_server import Folder, imap_server
from tests.engine.mail_samples import bounce_report, for_people, unsubscribe_request


def filled(messages: int, requests: float) -> Folder:
    """A folder of unread mail: requests spread evenly among mail for people."""
    folder = Folder()
    every = max(1, round(2 / requests)) if requests > 0 else 0
    for n in range(messages):
        if every and n % every == 0:
            folder.add(unsubscribe_request(f"u{n}@example.org", "unsubscribe"))
        elif every and n % every == 1:
            folder.add(bounce_report((f"b{n}@example.org", "failed", "5.1.1")))
        else:
            folder.add(for_people())
    return folder


def timed(mailbox: ImapMailbox, database: Database) -> tuple[MailboxSummary, float]:
    """One reading and its wall time in seconds."""
    started = time.perf_counter()
    with mailbox.open() as inbox:
        summary = sync(inbox, database.uow, datetime.now(UTC))
    return summary, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Fill the folder, read it twice, print what each reading found and took."""
    parser = argparse.ArgumentParser(prog="python -m bench.mailbox", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--requests", type=float, default=0.2, help="share that are requests")
    args = parser.parse_args(argv)
    if args.messages < 1 or not 0 <= args.requests <= 1:
        parser.error("--messages must be at least 1 and --requests between 0 and 1")
    print(f"filling a folder with {args.messages} messages", file=sys.stderr)
    folder = filled(args.messages, args.requests)
    with tempfile.TemporaryDirectory() as directory, imap_server(folder) as port:
        database = Database(f"sqlite:///{directory}/mailbox.db")
        database.upgrade()
        url = f"imap://{folder.user.replace('@', '%40')}:s3cret%20pass@127.0.0.1:{port}"
        mailbox = ImapMailbox.from_url(url)
        for label in ("first reading", "next reading"):
            print(f"{label}…", file=sys.stderr)
            summary, seconds = timed(mailbox, database)
            rate = f", {summary.unread / seconds:,.0f} messages/s" if summary.unread else ""
            print(f"{label}: {seconds:.2f} s{rate}; {summary.line()}")
        database.dispose()


if __name__ == "__main__":
    main()
