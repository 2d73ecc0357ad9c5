"""Actions: targets, content, candidates, their ranking and stored proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from engine.model.enums import (
    ActionKind,
    ActionState,
    IssueKind,
)
from engine.money import Money

FIRST_NAME_LIMIT = 40  # characters of a first name used in a greeting


@dataclass(frozen=True, slots=True)
class Target:
    """One recipient or object of an action: a customer, a payment, a product."""

    key: str  # unique within the action, e.g. "cart:c123" or "payment:p9"
    customer_id: str | None = None
    email: str | None = None
    value: int = 0  # minor units at stake for this target
    ref: str | None = None  # cart, payment or product id the action acts on
    name: str | None = field(default=None, repr=False)  # display name; kept out of logs

    @property
    def first_name(self) -> str | None:
        """The name's first word, for greetings; None without a usable name."""
        return first_name_of(self.name)


def first_name_of(name: str | None) -> str | None:
    """The first word of a display name, control characters dropped and length capped.

    Line breaks and other unprintable characters separate words, so the result never holds
    one: it is safe in a body and in a subject header alike.
    """
    printable = "".join(ch if ch.isprintable() else " " for ch in name or "")
    words = printable.split()
    return words[0][:FIRST_NAME_LIMIT] if words else None


@dataclass(frozen=True, slots=True)
class Content:
    """The exact text a human sees and approves."""

    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """An action the core proposes; the learner ranks candidates by their `arm`."""

    kind: ActionKind
    variant: str  # e.g. "no_discount", "discount_10"
    title: str
    targets: tuple[Target, ...]
    content: Content
    params: tuple[tuple[str, str], ...] = ()  # e.g. (("discount_pct", "10"),)
    issue_kind: IssueKind | None = None
    expected_value: Money | None = None
    money_touching: bool = False
    runnable: bool = True  # False: advice only, shown without Approve

    @property
    def arm(self) -> str:
        """The learner's arm: issue kind (or 'income'), action kind and variant."""
        context = self.issue_kind.value if self.issue_kind else "income"
        return f"{context}/{self.kind.value}/{self.variant}"

    @property
    def target_key(self) -> str:
        """Identifies the targets so the same ones are not proposed twice while pending."""
        keys = ",".join(sorted(t.key for t in self.targets))
        return f"{self.kind.value}:{keys}"


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate with the learner's score and its one-line reason."""

    candidate: Candidate
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Action:
    """A stored proposal and where it is in its lifecycle."""

    id: str
    candidate: Candidate
    state: ActionState
    content_hash: str
    reason: str
    created_at: datetime
    expires_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
