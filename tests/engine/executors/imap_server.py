"""A local IMAP4rev1 server: the commands a mail client reading one folder by UID uses.

It answers what `imaplib` sends (CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH of
BODY.PEEK[HEADER.FIELDS (...)] or BODY.PEEK[], UID STORE +FLAGS, LOGOUT), keeps each
message's flags, and records every command so a test can see what a client asked for.
"""

from __future__ import annotations

import re
import socketserver
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path

_FIELDS = re.compile(r"BODY\.PEEK\[HEADER\.FIELDS \(([^)]*)\)\]", re.IGNORECASE)


@dataclass
class Stored:
    """One message of the folder."""

    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Folder:
    """The folder's messages, the account, and the commands received."""

    user: str = "shop@example.com"
    password: str = "s3cret pass"
    name: str = "INBOX"
    validity: int = 1
    messages: list[Stored] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, raw: bytes, *flags: str) -> int:
        """Deliver a message; its UID."""
        with self.lock:
            uid = len(self.messages) + 1
            self.messages.append(Stored(uid, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
            self.messages[-1].flags.update(flags)
            return uid

    def seen(self) -> set[int]:
        """The UIDs flagged read."""
        return {m.uid for m in self.messages if "\\Seen" in m.flags}


class _Handler(socketserver.StreamRequestHandler):
    folder: Folder
    tls: ssl.SSLContext | None

    def setup(self) -> None:
        if self.tls is not None:  # imaps: TLS from the first byte
            self.request = self.tls.wrap_socket(
                self.request, server_side=True, do_handshake_on_connect=False
            )
        super().setup()

    def finish(self) -> None:
        super().finish()
        if self.tls is not None:  # the server closes the plain socket it accepted, not this
            self.request.close()

    def handle(self) -> None:
        if self.tls is not None:
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # a client that does not trust the certificate hangs up here
        self._send(b"* OK IMAP4rev1 local test server ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            self.folder.commands.append(f"{command.upper()} {args}".strip())
            if not self._dispatch(tag, command.upper(), args):
                return

    def _dispatch(self, tag: str, command: str, args: str) -> bool:
        if command == "CAPABILITY":
            self._send(b"* CAPABILITY IMAP4rev1")
        elif command == "LOGIN":
            user, _, password = args.partition(" ")
            if user.strip('"') != self.folder.user or _unquote(password) != self.folder.password:
                return self._done(tag, "NO [AUTHENTICATIONFAILED] invalid credentials")
        elif command == "SELECT":
            if _unquote(args) != self.folder.name:
                return self._done(tag, "NO no such folder")
            self._send(f"* {len(self.folder.messages)} EXISTS".encode())
            self._send(f"* OK [UIDVALIDITY {self.folder.validity}] UIDs valid".encode())
            return self._done(tag, "OK [READ-WRITE] SELECT completed")
        elif command == "UID":
            self._uid(args)
        elif command == "LOGOUT":
            self._send(b"* BYE logging out")
            self._done(tag, "OK LOGOUT completed")
            return False
        else:
            return self._done(tag, "BAD unknown command")
        return self._done(tag, f"OK {command} completed")

    def _uid(self, args: str) -> None:
        name, _, rest = args.partition(" ")
        with self.folder.lock:
            if name.upper() == "SEARCH":
                self._search(rest.split())
                return
            wanted, _, what = rest.partition(" ")
            for seq, message in enumerate(self.folder.messages, 1):
                if str(message.uid) not in wanted.split(","):
                    continue
                if name.upper() == "STORE":
                    message.flags.add("\\Seen")
                    self._send(f"* {seq} FETCH (UID {message.uid} FLAGS (\\Seen))".encode())
                else:
                    self._fetch(seq, message, what)

    def _search(self, criteria: list[str]) -> None:
        """UNSEEN, optionally with `UID n:*` (which, as in RFC 3501, always holds the newest)."""
        lowest = 1
        if criteria[:1] == ["UID"]:
            lowest = int(criteria[1].split(":")[0])
        messages = self.folder.messages
        newest = max((m.uid for m in messages), default=0)
        found = [
            str(m.uid)
            for m in messages
            if "\\Seen" not in m.flags and (m.uid >= lowest or m.uid == newest)
        ]
        self._send(" ".join(["* SEARCH", *found]).encode())

    def _fetch(self, seq: int, message: Stored, what: str) -> None:
        fields = _FIELDS.search(what)
        if fields:
            names = fields.group(1)
            body, section = _header_fields(message.raw, names.split()), f"HEADER.FIELDS ({names})"
        else:
            body, section = message.raw, ""
        head = f"* {seq} FETCH (UID {message.uid} BODY[{section}] {{{len(body)}}}"
        self.wfile.write(head.encode() + b"\r\n" + body + b")\r\n")

    def _send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def _done(self, tag: str, text: str) -> bool:
        self._send(f"{tag} {text}".encode())
        return True


def _unquote(text: str) -> str:
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


def _header_fields(raw: bytes, names: list[str]) -> bytes:
    """Only the named header fields of a message, then the blank line (RFC 3501 6.4.5)."""
    headers = BytesHeaderParser().parsebytes(raw)
    wanted = {name.lower() for name in names}
    lines = [f"{key}: {value}" for key, value in headers.items() if key.lower() in wanted]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@contextmanager
def imap_server(folder: Folder, certificate: tuple[Path, Path] | None = None) -> Iterator[int]:
    """Serve `folder` on 127.0.0.1 in a thread (over TLS with `certificate`); yields the port."""
    tls = None
    if certificate is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(*certificate)
    handler = type("Handler", (_Handler,), {"folder": folder, "tls": tls})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
