"""A local SMTP server (aiosmtpd) that records what it accepts and can misbehave on cue."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One accepted message."""

    peer: Any
    recipients: list[str]
    message: Message
    tls: bool


@dataclass
class Handler:
    """Accepts mail; refuses `refuse` (550), defers `defer` once (451), drops after `drop`."""

    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        """Refuse, defer or accept a recipient."""
        del server, session, options
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.defer:
            self.defer.discard(address)
            return "451 4.7.1 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        """Record the message; for a `drop` recipient, hang up before replying."""
        with self.lock:
            self.received.append(
                Received(
                    session.peer,
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content),
                    session.ssl is not None,
                )
            )
        if set(envelope.rcpt_tos) & self.drop:
            server.transport.close()
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        """Messages accepted for one address."""
        return [r.message for r in self.received if address in r.recipients]


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - openssl from PATH
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    del server, session, envelope, mechanism
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
    return AuthResult(success=ok)


@contextmanager
def smtp_server(handler: Handler, certificate: tuple[Path, Path] | None = None) -> Iterator[int]:
    """Run the server on a free port; yield the port."""
    options: dict[str, Any] = {}
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        options = {"tls_context": context, "authenticator": _login, "auth_require_tls": True}
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
