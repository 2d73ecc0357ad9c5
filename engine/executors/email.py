"""E-mail over SMTP: STARTTLS when offered, one connection reused, no blind resends.

A send whose connection broke after the message may have been handed over is `unknown`:
SMTP honours no idempotency key, so only a 4xx reply (the server said "not accepted, try
later") or a failed connection before the send is retried.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from email.message import Message
from urllib.parse import unquote, urlsplit

from engine.execution_ports import Delivery, ExecutionJob, TargetResult
from engine.executors.message import Sender, build_message, default_shop_url
from engine.executors.retry import RetryPolicy, TransientError
from engine.model import Target, TargetState

_PERMANENT = 500
_TRANSIENT = 400


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where to connect, parsed from SMTP_URL (smtp://user:pass@host:port)."""

    host: str
    port: int
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse SMTP_URL; the password never appears in repr."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:port")
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.hostname, parts.port or 25, user, password)


@dataclass(frozen=True, slots=True)
class SmtpEmailExecutor:
    """Sends each approved e-mail over SMTP, one connection per action unless `reuse` is off."""

    server: SmtpServer
    sender_address: str
    shop_url: str | None = None
    public_url: str | None = None  # INCOME_PUBLIC_URL: unsubscribe links point at it
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    reuse: bool = True
    tls: ssl.SSLContext | None = None  # trust for STARTTLS; None: the system's CAs

    @property
    def idempotent(self) -> bool:
        """SMTP has no idempotency key: an in-flight send is never repeated."""
        return False

    def open(self, job: ExecutionJob) -> Delivery:
        """A session holding (at most) one SMTP connection."""
        shop_url = self.shop_url or default_shop_url(self.sender_address)
        sender = Sender(self.sender_address, shop_url, self.public_url)
        return _SmtpDelivery(self, sender, job)


def _connection_error(error: BaseException) -> bool:
    return isinstance(error, OSError | smtplib.SMTPException) and not isinstance(
        error, smtplib.SMTPAuthenticationError
    )


def _transient(error: BaseException) -> bool:
    return isinstance(error, TransientError)


class _SmtpDelivery:
    def __init__(self, executor: SmtpEmailExecutor, sender: Sender, job: ExecutionJob) -> None:
        self._executor = executor
        self._sender = sender
        self._job = job
        self._smtp: smtplib.SMTP | None = None

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        del keys  # SMTP honours no idempotency key; the Message-ID is derived instead
        results: list[TargetResult] = []
        for index, target in enumerate(targets):
            if not target.email:
                results.append(TargetResult(target.key, TargetState.FAILED, "no e-mail address"))
                continue
            try:
                self._ensure_connected(check=index == 0)
            except (OSError, smtplib.SMTPException) as error:
                reason = f"SMTP server unreachable: {_describe(error)}"
                results.extend(
                    TargetResult(t.key, TargetState.FAILED, reason) for t in targets[index:]
                )
                return results
            results.append(self._send_one(target, target.email))
            if not self._executor.reuse:
                self.close()
        return results

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def _ensure_connected(self, *, check: bool) -> None:
        """Connect when needed; at the start of a chunk, first check an idle connection."""
        if self._smtp is not None and not check:
            return
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # dead: reconnect below
                if self._smtp.noop()[0] == 250:  # noqa: PLR2004 - SMTP "OK"
                    return
            self._smtp.close()
            self._smtp = None
        for attempt in self._executor.retry.retrying(_connection_error):
            with attempt:
                self._smtp = self._connect()

    def _connect(self) -> smtplib.SMTP:
        server = self._executor.server
        smtp = smtplib.SMTP(server.host, server.port, timeout=self._executor.timeout)
        try:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=self._executor.tls or ssl.create_default_context())
                smtp.ehlo()
            if server.user and server.password:
                smtp.login(server.user, server.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _send_one(self, target: Target, email: str) -> TargetResult:
        message = build_message(self._sender, self._job, target, email)
        try:
            for attempt in self._executor.retry.retrying(_transient):
                with attempt:
                    self._transmit(message)
        except TransientError as error:
            return TargetResult(target.key, TargetState.FAILED, f"deferred: {error}")
        except smtplib.SMTPResponseException as error:
            return TargetResult(target.key, TargetState.FAILED, _describe(error))
        except smtplib.SMTPRecipientsRefused as error:
            return TargetResult(target.key, TargetState.FAILED, _describe(error), bounced=True)
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection broke mid-send: the server may have the message
            return TargetResult(target.key, TargetState.UNKNOWN, _describe(error))
        return TargetResult(target.key, TargetState.SENT)

    def _transmit(self, message: Message) -> None:
        smtp = self._smtp
        if smtp is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        try:
            smtp.sendmail(self._sender.address, [str(message["To"])], message.as_bytes())
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(_TRANSIENT <= code < _PERMANENT for code in codes):
                smtp.rset()
                raise TransientError(f"recipient deferred ({codes[0]})") from None
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            if _TRANSIENT <= error.smtp_code < _PERMANENT:
                smtp.rset()
                raise TransientError(f"deferred ({error.smtp_code})") from None
            raise


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        shown = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {shown[:120]}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return f"recipient refused ({codes[0] if codes else '?'})"
    return f"{type(error).__name__}: {error}"[:160]


def send_test(
    executor: SmtpEmailExecutor, job: ExecutionJob, sample: Target, address: str
) -> TargetResult:
    """Send me a test: the approved e-mail, filled for `sample`, to `address` alone.

    Nothing is recorded against the action; the subject is marked as a test.
    """
    test_job = replace(job, subject=f"[Test] {job.subject}")
    recipient = replace(sample, key=f"test:{sample.key}", email=address)
    delivery = executor.open(test_job)
    try:
        return delivery.send([recipient], [f"test-{job.action_id}"])[0]
    finally:
        delivery.close()
