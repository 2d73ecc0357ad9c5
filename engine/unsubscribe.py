"""Unsubscribes: a link's (action id, token) back to its address, and manual suppression.

A link carries `a=<action id>&t=<token>` with token = `message.token(action id, address)`,
never the address. Checking one recomputes the token of every target address of that
action and compares in constant time; a malformed, unknown or forged pair is simply None,
so callers cannot tell an unknown action from a wrong token.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parseaddr

from engine.executors.message import token
from engine.store.uow import SqlUnitOfWork

UNSUBSCRIBED = "unsubscribed"
COMPLAINT = "complaint"  # marked as spam: taking it off the list needs --force
BOUNCED = "bounced"  # refused for good by the recipient's server
REASONS = (UNSUBSCRIBED, BOUNCED, COMPLAINT)
_ACTION_ID = re.compile(r"[a-z0-9]{1,16}")
_TOKEN = re.compile(r"[0-9a-f]{24}")
_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,}")
_MAX_ADDRESS = 254  # RFC 5321's limit on a forward path, less the angle brackets

UnitOfWorkFactory = Callable[[], SqlUnitOfWork]


def well_formed(action_id: str, mark: str) -> bool:
    """True when the pair could have come from one of our links (cheap, before any query)."""
    return bool(_ACTION_ID.fullmatch(action_id) and _TOKEN.fullmatch(mark))


def address_of(uow: SqlUnitOfWork, action_id: str, mark: str) -> str | None:
    """The target address of `action_id` whose token is `mark`, or None."""
    if not well_formed(action_id, mark):
        return None
    found = None
    for record in uow.executions.targets(action_id):
        email = record.target.email
        # every target is compared, so the time taken does not say which one matched
        if email and hmac.compare_digest(token(action_id, email), mark) and found is None:
            found = email
    return found


def verify(uow_factory: UnitOfWorkFactory, action_id: str, mark: str) -> bool:
    """True when (action id, token) belongs to one of the action's recipients."""
    with uow_factory() as uow:
        return address_of(uow, action_id, mark) is not None


def unsubscribe(uow_factory: UnitOfWorkFactory, action_id: str, mark: str, now: datetime) -> bool:
    """Suppress the link's address (idempotent); False for a link that is not ours."""
    with uow_factory() as uow:
        address = address_of(uow, action_id, mark)
        if address is None:
            return False
        uow.suppressions.add(address, UNSUBSCRIBED, now)
        uow.commit()
    return True


def normalise_address(raw: str) -> str:
    """The lower-cased address in `raw` (also `Name <a@b.org>`); ValueError saying why not."""
    text = raw.strip()
    address = parseaddr(text)[1] if "<" in text else text
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(
            f"{raw!r} is not an e-mail address: it needs one @ between the mailbox and the domain"
        )
    if len(address) > _MAX_ADDRESS:
        raise ValueError(f"{raw!r} is not an e-mail address: longer than {_MAX_ADDRESS} characters")
    if not _LOCAL.fullmatch(local) or ".." in local or local.startswith(".") or local.endswith("."):
        raise ValueError(f"{raw!r} is not an e-mail address: the part before @ is not valid")
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"{raw!r} is not an e-mail address: {domain!r} is not a domain")
    return address.lower()
