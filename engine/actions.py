"""Which actions can run and which touch money, how candidates are built, hashed and edited."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from engine.drafting.base import EMAIL_KINDS, Drafter, DraftRequest, draft_problems, with_discount
from engine.model import ActionKind, Candidate, Content, IssueKind, Reach, ShopData, Target
from engine.money import Money

MAX_TARGETS = 500  # per action: larger audiences are cut to the most valuable targets

# Kinds that always charge, refund or change a price; email variants with a discount join them.
MONEY_TOUCHING = frozenset({ActionKind.PAYMENT_RETRY, ActionKind.PRICE_TEST})

# Advice kinds that run through the webhook: it hands the finding to the team's ticket or
# incident tool. Without a webhook they are advice: posting them to Slack again adds nothing.
_WEBHOOK_KINDS = frozenset(
    {
        ActionKind.PRICE_TEST,
        ActionKind.ERROR_INVESTIGATION,
        ActionKind.LEAKAGE_REVIEW,
        ActionKind.SOCIAL_POST,
    }
)

T = TypeVar("T")


def is_money_touching(kind: ActionKind, params: Iterable[tuple[str, str]]) -> bool:
    """True for charges and price changes, and for anything that gives a discount."""
    return kind in MONEY_TOUCHING or int(dict(params).get("discount_pct", "0")) > 0


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The action kinds that have an executor in this deployment; the rest are advice."""

    runnable: frozenset[ActionKind] = frozenset()

    def can_run(self, kind: ActionKind) -> bool:
        """True when an approved action of this kind would do something in the world."""
        return kind in self.runnable


def capabilities_for(*, email: bool, payments: bool, webhook: bool, slack: bool) -> Capabilities:
    """Runnable kinds from the configured executors.

    Emails need email; payment retries need a payment provider; price tests, error
    investigations and leakage reviews need the webhook; a social post needs Slack (the
    approved copy is posted to the channel) or the webhook.
    """
    kinds: set[ActionKind] = set()
    if email:
        kinds |= EMAIL_KINDS
    if payments:
        kinds.add(ActionKind.PAYMENT_RETRY)
    if webhook:
        kinds |= _WEBHOOK_KINDS
    if slack:
        kinds.add(ActionKind.SOCIAL_POST)
    return Capabilities(frozenset(kinds))


def content_hash(candidate: Candidate) -> str:
    """SHA-256 of everything a person sees or that runs: kind, variant, title, targets, text."""
    document = {
        "kind": candidate.kind.value,
        "variant": candidate.variant,
        "title": candidate.title,
        "targets": [
            [t.key, t.customer_id, t.email, t.value, t.ref]
            for t in sorted(candidate.targets, key=lambda t: t.key)
        ],
        "params": sorted([name, value] for name, value in candidate.params),
        "subject": candidate.content.subject,
        "body": candidate.content.body,
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Context:
    """What every candidate builder reads: the shop's data, capabilities, drafter and now."""

    data: ShopData
    caps: Capabilities
    drafter: Drafter
    now: datetime
    open_issues: frozenset[IssueKind] = field(default_factory=frozenset)
    reach: Reach = field(default_factory=Reach)  # who e-mail actions could reach now

    def money(self, amount: int) -> Money:
        """An amount in the shop's currency."""
        return Money(amount, self.data.currency)

    def candidate(
        self,
        kind: ActionKind,
        variant: str,
        *,
        title: str,
        targets: Sequence[Target],
        facts: Iterable[tuple[str, str]] = (),
        params: Iterable[tuple[str, str]] = (),
        issue_kind: IssueKind | None = None,
        expected_value: Money | None = None,
    ) -> Candidate:
        """A candidate with drafted content, sorted params, and runnable/money flags set."""
        ordered = tuple(sorted(params))
        return Candidate(
            kind=kind,
            variant=variant,
            title=title,
            targets=tuple(targets),
            content=self.drafter.draft(DraftRequest(kind, variant, tuple(facts))),
            params=ordered,
            issue_kind=issue_kind,
            expected_value=expected_value,
            money_touching=is_money_touching(kind, ordered),
            runnable=self.caps.can_run(kind),
        )


def capped(items: Sequence[T], value: Callable[[T], int]) -> tuple[list[T], int]:
    """The `MAX_TARGETS` most valuable items (stable order on ties) and how many there were."""
    ranked = sorted(items, key=value, reverse=True)
    return ranked[:MAX_TARGETS], len(items)


def capped_note(chosen: int, total: int) -> str:
    """A title suffix saying an audience was cut, or nothing."""
    return f" (largest {chosen} of {total}; {MAX_TARGETS} at most)" if chosen < total else ""


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 customer', '37 customers'."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def share(part: int, whole: int) -> str:
    """A ratio of two counts as a percentage for people, e.g. '12.5%'."""
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


# --- Edit ---------------------------------------------------------------------------------


class EditError(ValueError):
    """An edit outside the allowed bounds; the message says what to change."""


@dataclass(frozen=True, slots=True)
class EditBounds:
    """What an edit before approval may change, and how far."""

    subject_max: int = 150
    body_max: int = 3000
    # A 0 % "discount" email would announce a code worth nothing: the no-discount variant
    # of the same action is the way to send without one.
    discount_min_pct: int = 1
    discount_max_pct: int = 30


def apply_edit(
    candidate: Candidate,
    *,
    subject: str | None = None,
    body: str | None = None,
    discount_pct: int | None = None,
    bounds: EditBounds = EditBounds(),
) -> Candidate:
    """The candidate with a new subject, body or discount, or an `EditError` saying why not."""
    edited = replace(
        candidate,
        content=Content(
            candidate.content.subject if subject is None else subject.strip(),
            candidate.content.body if body is None else body.strip(),
        ),
    )
    if discount_pct is not None:
        edited = _rediscount(edited, discount_pct, bounds)
    _check_lengths(edited.content, bounds)
    problems = draft_problems(edited.kind, edited.content, before=candidate.content)
    problems += _discount_problems(edited)
    if problems:
        raise EditError(problems[0])
    return edited


def _check_lengths(content: Content, bounds: EditBounds) -> None:
    if not 1 <= len(content.subject) <= bounds.subject_max:
        raise EditError(f"Subject must be 1–{bounds.subject_max} characters")  # noqa: RUF001
    if "\n" in content.subject:
        raise EditError("Subject must be one line")
    if not 1 <= len(content.body) <= bounds.body_max:
        raise EditError(f"Body must be 1–{bounds.body_max} characters")  # noqa: RUF001


def _pct_pattern(pct: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.]){re.escape(pct)}%")


def _rediscount(candidate: Candidate, pct: int, bounds: EditBounds) -> Candidate:
    """Change the discount in params, title and text, keeping the code's derivation."""
    params = dict(candidate.params)
    old = params.get("discount_pct")
    if old is None:
        raise EditError("This proposal has no discount to change")
    low, high = bounds.discount_min_pct, bounds.discount_max_pct
    if isinstance(pct, bool) or not low <= pct <= high:
        raise EditError(f"Discount must be between {low}% and {high}%")
    pattern, new = _pct_pattern(old), f"{pct}%"
    title = pattern.sub(new, candidate.title)
    subject = pattern.sub(new, candidate.content.subject)
    body = pattern.sub(new, candidate.content.body)
    params["discount_pct"] = str(pct)
    if "discount_code" in params:
        code = params["discount_code"]
        params["discount_code"] = with_discount(code, pct)
        subject = subject.replace(code, params["discount_code"])
        body = body.replace(code, params["discount_code"])
    return replace(
        candidate,
        title=title,
        content=Content(subject, body),
        params=tuple(sorted(params.items())),
        money_touching=is_money_touching(candidate.kind, params.items()),
    )


def _discount_problems(candidate: Candidate) -> list[str]:
    """An email that gives a discount must say how much, and give the code when there is one."""
    params = dict(candidate.params)
    if candidate.kind not in EMAIL_KINDS or "discount_pct" not in params:
        return []
    problems = []
    if not _pct_pattern(params["discount_pct"]).search(candidate.content.body):
        problems.append(f"The body must state the {params['discount_pct']}% discount")
    code = params.get("discount_code")
    if code and code not in candidate.content.body:
        problems.append(f"The body must keep the discount code {code}")
    return problems
