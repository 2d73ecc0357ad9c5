"""What the sender's mailbox says about recipients: unsubscribes, bounces, complaints (pure).

Three kinds of mail that come back to INCOME_EMAIL_FROM are read; everything else is left to
people:
- an unsubscribe request, sent by `List-Unsubscribe`'s mailto: Subject "unsubscribe <action
  id> <token>" (the token names the address, also when the request comes from an alias), or
  "unsubscribe <token>" / a bare "unsubscribe" (the From address asks for itself);
- a bounce report (RFC 3464, multipart/report; report-type=delivery-status): each recipient
  whose Action is "failed" with a permanent 5.x.x Status (a delayed or 4.x.x one is not final);
- a spam complaint (RFC 5965, multipart/report; report-type=feedback-report): its
  Original-Rcpt-To, else the To of the returned message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr

from engine.unsubscribe import BOUNCED, COMPLAINT, UNSUBSCRIBED, normalise_address, well_formed

_UNSUBSCRIBE = re.compile(r"\s*unsubscribe\b(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
HEADER_NAMES = ("Subject", "Content-Type")  # all `worth_reading` looks at


@dataclass(frozen=True, slots=True)
class Request:
    """Addresses to suppress for one reason; an unsubscribe may also name its link's token."""

    reason: str
    addresses: tuple[str, ...]
    action_id: str | None = None
    mark: str | None = None


def worth_reading(headers: Message) -> bool:
    """True when a message's Subject and Content-Type say it may be one of the three kinds."""
    if _UNSUBSCRIBE.match(subject(headers)):
        return True
    return headers.get_content_type() == "multipart/report"


def read(message: Message) -> Request | None:
    """The request a message makes, or None when it is for people to read."""
    if message.get_content_type() == "multipart/report":
        report = str(message.get_param("report-type", "")).lower()
        if report == "delivery-status":
            return _bounces(message)
        if report == "feedback-report":
            return _complaint(message)
        return None
    match = _UNSUBSCRIBE.match(subject(message))
    return _unsubscribe(message, match.group("rest").split()) if match else None


def subject(message: Message) -> str:
    """The decoded Subject, or ""."""
    raw = message.get("Subject")
    if not raw:
        return ""
    try:
        return str(make_header(decode_header(str(raw))))
    except (LookupError, UnicodeError, HeaderParseError):  # an unknown or broken encoding
        return str(raw)


def _unsubscribe(message: Message, words: list[str]) -> Request | None:
    sender = _addresses([parseaddr(str(message.get("From", "")))[1]])
    action_id, mark = (words[0].lower(), words[1].lower()) if len(words) > 1 else ("", "")
    if not well_formed(action_id, mark):
        action_id = mark = ""
    if not sender and not mark:
        return None
    return Request(UNSUBSCRIBED, sender, action_id or None, mark or None)


def _bounces(message: Message) -> Request | None:
    failed: list[str] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
            if action == "failed" and status.startswith("5") and recipient:
                failed.append(str(recipient).partition(";")[2] or str(recipient))
    addresses = _addresses(failed)
    return Request(BOUNCED, addresses) if addresses else None


def _complaint(message: Message) -> Request | None:
    named: list[str] = []
    returned: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report":
            for block in part.get_payload():
                if isinstance(block, Message):
                    named += [str(value) for value in block.get_all("Original-Rcpt-To", [])]
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            returned += _returned_to(part)
    addresses = _addresses(named) or _addresses(returned)
    return Request(COMPLAINT, addresses) if addresses else None


def _returned_to(part: Message) -> list[str]:
    """The To addresses of a returned message (a message/rfc822 or its headers as text)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        original = inner[0] if isinstance(inner, list) and inner else None
    else:
        original = message_from_string(str(part.get_payload(decode=False)))
    if not isinstance(original, Message):
        return []
    return [address for _, address in getaddresses(original.get_all("To", []))]


def _addresses(raw: list[str]) -> tuple[str, ...]:
    """The well-formed ones, lower-cased, each once, in order."""
    found: list[str] = []
    for text in raw:
        try:
            address = normalise_address(text.strip().strip("<>"))
        except ValueError:
            continue
        if address not in found:
            found.append(address)
    return tuple(found)
