"""The sender's mailbox over IMAP (INCOME_IMAP_URL): unread mail, read without marking it."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

_UID = re.compile(rb"\bUID (\d+)")
_CHUNK = 200  # UIDs per FETCH / STORE command
_USAGE = "INCOME_IMAP_URL must look like imaps://user:password@host[:port][/folder]"


class MailboxError(Exception):
    """The mailbox could not be read; the message names the host, never the password."""


@dataclass(frozen=True, slots=True)
class ImapMailbox:
    """Where the sender's mail arrives; `open()` logs in and selects the folder."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    secure: bool = True
    timeout: float = 30.0
    tls: ssl.SSLContext | None = None  # trust for imaps; None: the system's CAs

    @classmethod
    def from_url(cls, url: str) -> ImapMailbox:
        """Parse INCOME_IMAP_URL; ValueError saying what is missing (never echoing it)."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ValueError(_USAGE)
        if not parts.username or not parts.password:
            raise ValueError(f"{_USAGE}: the user and the password are both needed")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"{_USAGE}: the port is not a number from 1 to 65535") from None
        secure = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=port or (993 if secure else 143),
            user=unquote(parts.username),
            password=unquote(parts.password),
            folder=unquote(parts.path.strip("/")) or "INBOX",
            secure=secure,
        )

    @contextmanager
    def open(self) -> Iterator[ImapInbox]:
        """A logged-in session on the folder, logged out afterwards."""
        where = f"{self.host}:{self.port}"
        try:
            connection = self._connect()
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"cannot reach the mailbox at {where}: {error}") from None
        try:
            _login(connection, self, where)
            yield ImapInbox(connection, f"{self.user}@{where}/{self.folder}")
        finally:
            with suppress(OSError, imaplib.IMAP4.error):  # already gone: nothing to close
                connection.logout()

    def _connect(self) -> imaplib.IMAP4:
        if self.secure:
            context = self.tls or ssl.create_default_context()
            return imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=context, timeout=self.timeout
            )
        return imaplib.IMAP4(self.host, self.port, timeout=self.timeout)


def _login(connection: imaplib.IMAP4, mailbox: ImapMailbox, where: str) -> None:
    try:
        connection.login(mailbox.user, mailbox.password)
    except imaplib.IMAP4.error:
        raise MailboxError(f"the mailbox at {where} refused the user {mailbox.user!r}") from None
    status, _ = connection.select(_quoted(mailbox.folder))
    if status != "OK":
        raise MailboxError(f"the mailbox at {where} has no folder {mailbox.folder!r}")


class ImapInbox:
    """One session: unread UIDs, headers and whole messages (read with PEEK), the read flag."""

    def __init__(self, connection: imaplib.IMAP4, name: str) -> None:
        self._connection = connection
        _, answer = connection.response("UIDVALIDITY")
        validity = answer[0].decode() if answer and isinstance(answer[0], bytes) else "unknown"
        # UIDs only ascend while UIDVALIDITY stays; a new one means the UIDs were renumbered
        self.cursor_key = f"mailbox:{name}:{validity}"

    def unseen(self, after: int = 0) -> list[str]:
        """The UIDs of the unread messages, only those above `after` when it is given."""
        data = self._command("SEARCH", f"UID {after + 1}:*", "UNSEEN")
        found = [uid for line in data if isinstance(line, bytes) for uid in line.split()]
        # "n:*" always matches the newest message, even when its UID is below n
        return [uid.decode() for uid in found if int(uid) > after]

    def headers(self, uids: Sequence[str], names: Sequence[str]) -> list[tuple[str, bytes]]:
        """(uid, those header fields) of each message; nothing is marked read."""
        return self._fetch(uids, f"(BODY.PEEK[HEADER.FIELDS ({' '.join(names).upper()})])")

    def messages(self, uids: Sequence[str]) -> list[tuple[str, bytes]]:
        """(uid, the whole message) of each; nothing is marked read."""
        return self._fetch(uids, "(BODY.PEEK[])")

    def mark_seen(self, uids: Sequence[str]) -> None:
        """Flag the messages read, so they are not read again."""
        for start in range(0, len(uids), _CHUNK):
            self._command("STORE", ",".join(uids[start : start + _CHUNK]), "+FLAGS", "(\\Seen)")

    def _fetch(self, uids: Sequence[str], parts: str) -> list[tuple[str, bytes]]:
        found: list[tuple[str, bytes]] = []
        for start in range(0, len(uids), _CHUNK):
            data = self._command("FETCH", ",".join(uids[start : start + _CHUNK]), parts)
            found.extend(
                (uid.group(1).decode(), item[1])
                for item in data
                if isinstance(item, tuple) and (uid := _UID.search(item[0]))
            )
        return found

    def _command(self, name: str, *args: str) -> list[bytes | tuple[bytes, bytes]]:
        try:
            status, data = self._connection.uid(name, *args)
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(f"the mailbox failed on UID {name}: {error}") from None
        if status != "OK":
            raise MailboxError(f"the mailbox refused UID {name}: {data!r}")
        return list(data)


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string (names may hold spaces)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
