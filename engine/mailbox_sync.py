"""The sender's unread mail into the suppression list: the shell around `engine.mailbox`.

Only messages that are unsubscribe requests, bounce reports or complaints are fetched whole
and then flagged read, each after its suppressions are committed; everything else stays
unread for people. The highest UID looked at is kept (`app_state`), so the next reading
looks only at newer mail; a reading cut short looks again, which suppresses nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from typing import Protocol

from engine.mailbox import HEADER_NAMES, Request, read, worth_reading
from engine.unsubscribe import (
    BOUNCED,
    COMPLAINT,
    UNSUBSCRIBED,
    UnitOfWorkFactory,
    address_of,
)


class Inbox(Protocol):
    """An open mailbox (`engine.executors.imap.ImapInbox`)."""

    @property
    def cursor_key(self) -> str:
        """Where the highest UID looked at is kept: the account, folder and UIDVALIDITY."""

    def unseen(self, after: int = 0) -> list[str]:
        """The UIDs of the unread messages above `after`."""

    def headers(self, uids: Sequence[str], names: Sequence[str]) -> list[tuple[str, bytes]]:
        """(uid, those header fields) of each message, without marking it read."""

    def messages(self, uids: Sequence[str]) -> list[tuple[str, bytes]]:
        """(uid, the whole message) of each, without marking it read."""

    def mark_seen(self, uids: Sequence[str]) -> None:
        """Flag the messages read."""


@dataclass(frozen=True, slots=True)
class MailboxSummary:
    """What one reading found: requests per reason, new suppressions, mail left to people."""

    unread: int
    requests: dict[str, int]
    suppressed: int
    left: int

    def line(self) -> str:
        """One line for the terminal and the log."""
        kinds = ", ".join(
            _count(self.requests.get(reason, 0), label)
            for reason, label in (
                (UNSUBSCRIBED, "unsubscribe request"),
                (BOUNCED, "bounce report"),
                (COMPLAINT, "complaint"),
            )
        )
        return (
            f"{_count(self.unread, 'new unread message')}: {kinds}; "
            f"{_count(self.suppressed, 'address')} newly suppressed; "
            f"{self.left} left unread for people"
        )


def _count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ss") else "s")
    return f"{n} {noun if n == 1 else plural}"


def sync(inbox: Inbox, uow_factory: UnitOfWorkFactory, now: datetime) -> MailboxSummary:
    """Suppress what the unread requests ask for, then flag those requests read."""
    with uow_factory() as uow:
        after = int(uow.state.get(inbox.cursor_key) or 0)
    unread = inbox.unseen(after)
    headers = inbox.headers(unread, HEADER_NAMES) if unread else []
    wanted = [uid for uid, raw in headers if worth_reading(message_from_bytes(raw))]
    requests: Counter[str] = Counter()
    suppressed = 0
    handled: list[str] = []
    for uid, raw in inbox.messages(wanted) if wanted else []:
        request = read(message_from_bytes(raw))
        if request is None:
            continue
        suppressed += _suppress(uow_factory, request, now)
        requests[request.reason] += 1
        handled.append(uid)
    if handled:
        inbox.mark_seen(handled)
    if unread:
        with uow_factory() as uow:
            uow.state.set(inbox.cursor_key, str(max(int(uid) for uid in unread)))
            uow.commit()
    return MailboxSummary(len(unread), dict(requests), suppressed, len(unread) - len(handled))


def _suppress(uow_factory: UnitOfWorkFactory, request: Request, now: datetime) -> int:
    """Add the request's addresses (its link's address first); how many were new."""
    with uow_factory() as uow:
        addresses = request.addresses
        if request.action_id and request.mark:
            linked = address_of(uow, request.action_id, request.mark)
            addresses = (linked,) if linked else addresses
        added = sum(uow.suppressions.add(address, request.reason, now) for address in addresses)
        uow.commit()
    return added
