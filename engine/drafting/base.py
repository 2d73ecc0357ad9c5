"""What a drafter is given and must return, and the per-recipient placeholders of emails.

Email bodies carry placeholders in braces that the email executor fills per recipient;
everything else in the approved text is sent as shown. The placeholder set:

- ``{first_name}`` — the recipient's first name, or "there" when unknown.
- ``{unsubscribe_link}`` — the recipient's one-click unsubscribe URL (every email).
- ``{cart_link}`` — a link that restores the recipient's cart (cart recovery).
- ``{shop_link}`` — a tracked link to the shop (win-back, campaign, bundle offer).
- ``{referral_link}`` — the recipient's personal referral link (referral incentive).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from engine.model import ActionKind, Content

PLACEHOLDERS: Mapping[str, str] = {
    "first_name": "the recipient's first name, or 'there' when unknown",
    "unsubscribe_link": "the recipient's one-click unsubscribe URL",
    "cart_link": "a link that restores the recipient's cart",
    "shop_link": "a tracked link to the shop",
    "referral_link": "the recipient's personal referral link",
}

# Placeholders an email body must keep: the unsubscribe footer and the link the email is for.
REQUIRED_PLACEHOLDERS: Mapping[ActionKind, tuple[str, ...]] = {
    ActionKind.CART_RECOVERY_EMAIL: ("cart_link", "unsubscribe_link"),
    ActionKind.WINBACK_EMAIL: ("shop_link", "unsubscribe_link"),
    ActionKind.EMAIL_CAMPAIGN: ("shop_link", "unsubscribe_link"),
    ActionKind.BUNDLE_OFFER: ("shop_link", "unsubscribe_link"),
    ActionKind.REFERRAL_INCENTIVE: ("referral_link", "unsubscribe_link"),
}
EMAIL_KINDS = frozenset(REQUIRED_PLACEHOLDERS)

NAME_LIMIT = 80  # product names and other short customer- or product-provided text
MESSAGE_LIMIT = 160  # error messages quoted in advice

_TOKEN = re.compile(r"\{([a-z_]+)\}")
_SPACE = re.compile(r"\s+")


class DraftError(ValueError):
    """A draft could not be made from the facts given (a missing fact or template)."""


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """One draft to write: the action kind, its variant and the facts it may state."""

    kind: ActionKind
    variant: str
    facts: tuple[tuple[str, str], ...] = ()  # named values taken from data, already formatted

    def fact_map(self) -> dict[str, str]:
        """The facts as a dict."""
        return dict(self.facts)


class Drafter(Protocol):
    """Writes the subject and body of a proposal; templates now, Claude later."""

    def draft(self, request: DraftRequest) -> Content:
        """The exact content for the request, stating only the request's facts."""
        ...


def clip(text: str, limit: int = NAME_LIMIT) -> str:
    """Customer- or product-provided text on one line, cut to `limit` characters."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def placeholders_in(text: str) -> set[str]:
    """Names of all ``{name}`` tokens in a text, known or not."""
    return set(_TOKEN.findall(text))


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Replace known placeholders in one pass; unknown tokens and inserted text stay as they are."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in PLACEHOLDERS and name in values else match.group(0)

    return _TOKEN.sub(one, text)


def discount_code(prefix: str, pct: int, refs: Iterable[str]) -> str:
    """A code derived from the discount and the targets it is for, e.g. 'BACK10-3F9A2C'."""
    digest = hashlib.sha256("\n".join(sorted(refs)).encode()).hexdigest()
    return f"{prefix}{pct}-{digest[:6].upper()}"


def with_discount(code: str, pct: int) -> str:
    """The same code for another discount: 'BACK10-3F9A2C' at 15 % is 'BACK15-3F9A2C'."""
    match = re.fullmatch(r"([A-Z]+)\d+-([0-9A-F]+)", code)
    if match is None:
        raise ValueError(f"not a derived discount code: {code!r}")
    return f"{match.group(1)}{pct}-{match.group(2)}"


def draft_problems(kind: ActionKind, content: Content, before: Content | None = None) -> list[str]:
    """What is wrong with a draft's placeholders, in words a person can act on.

    Tokens already in `before` (say, a product name with braces) are not held against an edit;
    only emails have placeholders, so any new token in other kinds would be sent unfilled.
    """
    problems = [
        f"The body must keep the {{{name}}} placeholder"
        for name in REQUIRED_PLACEHOLDERS.get(kind, ())
        if name not in placeholders_in(content.body)
    ]
    allowed = set(PLACEHOLDERS) if kind in EMAIL_KINDS else set()
    if before is not None:
        allowed |= placeholders_in(before.subject) | placeholders_in(before.body)
    used = placeholders_in(content.subject) | placeholders_in(content.body)
    unknown = sorted(used - allowed)
    if unknown and kind in EMAIL_KINDS:
        known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        problems.append(f"Unknown placeholder {{{unknown[0]}}}; use one of {known}")
    elif unknown:
        problems.append(f"{{{unknown[0]}}} would be sent as written: only emails have placeholders")
    return problems
