"""Building one e-mail: placeholders filled per recipient, Message-ID, List-Unsubscribe."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email import charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime
from urllib.parse import quote

from engine.drafting.base import fill_placeholders
from engine.execution_ports import ExecutionJob
from engine.executors.keys import message_id
from engine.model import Target


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sends, the shop's site the links point at, and where unsubscribes are answered."""

    address: str
    shop_url: str
    public_url: str | None = None  # INCOME_PUBLIC_URL: `income serve`; None: the shop's site

    @property
    def domain(self) -> str:
        """The sender's domain, for Message-IDs."""
        return self.address.rsplit("@", 1)[-1].strip("> ") or "localhost"


def default_shop_url(address: str) -> str:
    """The shop's site when none is configured: https:// and the sender's domain."""
    return "https://" + (address.rsplit("@", 1)[-1].strip("> ") or "localhost")


def token(action_id: str, email: str) -> str:
    """An opaque per-recipient token for links (never the address itself)."""
    return hashlib.sha256(f"{action_id}\x00{email.strip().lower()}".encode()).hexdigest()[:24]


def unsubscribe_url(base: str, action_id: str, mark: str) -> str:
    """A recipient's unsubscribe link: `{base}/unsubscribe?a=<action id>&t=<token>`."""
    return f"{base.rstrip('/')}/unsubscribe?a={quote(action_id, safe='')}&t={mark}"


def links(sender: Sender, job: ExecutionJob, target: Target, email: str) -> dict[str, str]:
    """The placeholder values of one recipient."""
    base = sender.shop_url.rstrip("/")
    mark = token(job.action_id, email)
    ref = quote(target.ref or "", safe="")
    return {
        "first_name": target.first_name or "there",
        "unsubscribe_link": unsubscribe_url(sender.public_url or base, job.action_id, mark),
        "cart_link": f"{base}/cart/{ref}?a={job.action_id}",
        "shop_link": f"{base}/?a={job.action_id}&t={mark}",
        "referral_link": f"{base}/r/{mark}",
    }


_UTF8 = charset.Charset("utf-8")
_UTF8.body_encoding = charset.QP  # readable bodies; compat32 keeps building cheap


def build_message(sender: Sender, job: ExecutionJob, target: Target, email: str) -> MIMEText:
    """The exact approved subject and body for one recipient, with the required headers."""
    values = links(sender, job, target, email)
    message = MIMEText(fill_placeholders(job.body, values), "plain", _UTF8)  # type: ignore[arg-type]
    subject = fill_placeholders(job.subject, values)
    message["From"] = sender.address
    message["To"] = email
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = format_datetime(job.at)
    message["Message-ID"] = message_id(job.action_id, email, sender.domain)
    request = f"unsubscribe%20{quote(job.action_id, safe='')}%20{token(job.action_id, email)}"
    mailto = f"mailto:{sender.address}?subject={request}"  # read by `engine.mailbox`
    message["List-Unsubscribe"] = f"<{values['unsubscribe_link']}>, <{mailto}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
