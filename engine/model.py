"""The domain's values: frozen dataclasses shared by the functional core and the shell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from engine.money import Money


class Severity(StrEnum):
    """How urgently an issue needs a human; ordered by `SEVERITY_RANK`."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class IssueKind(StrEnum):
    """The problems the detector knows (design §2)."""

    REVENUE_DROP = "revenue_drop"
    ERROR_SPIKE = "error_spike"
    HIGH_CHURN = "high_churn"
    PAYMENT_FAILURES = "payment_failures"
    ABANDONED_CARTS = "abandoned_carts"
    LOW_CONVERSION = "low_conversion"


class ActionKind(StrEnum):
    """What a proposal does when approved (or advises, when it has no executor)."""

    CART_RECOVERY_EMAIL = "cart_recovery_email"
    PAYMENT_RETRY = "payment_retry"
    WINBACK_EMAIL = "winback_email"
    ERROR_INVESTIGATION = "error_investigation"
    PRICE_TEST = "price_test"
    BUNDLE_OFFER = "bundle_offer"
    EMAIL_CAMPAIGN = "email_campaign"
    REFERRAL_INCENTIVE = "referral_incentive"
    SOCIAL_POST = "social_post"
    LEAKAGE_REVIEW = "leakage_review"


class ActionState(StrEnum):
    """The action lifecycle of design §3."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"


class TargetState(StrEnum):
    """Per-target state of an action (design §3)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    HELD_OUT = "held_out"


class RejectReason(StrEnum):
    """The short list of reasons a human gives for a rejection (design §4)."""

    NOT_NOW = "not_now"
    WRONG_TARGETS = "wrong_targets"
    NEVER = "never"
    OTHER = "other"


# --- Monitor -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Raw aggregates of one time window, as a KPI source returns them."""

    start: datetime
    end: datetime
    revenue: int  # paid order totals, minor units
    refunds: int  # minor units refunded in the window
    discounts: int  # minor units given as discounts on the window's orders
    orders: int  # paid orders
    sessions: int
    carts: int  # carts that ended (converted or abandoned) in the window
    abandoned_carts: int
    payment_attempts: int
    payment_failures: int
    errors: int


@dataclass(frozen=True, slots=True)
class ChurnCounts:
    """Subscription churn over a trailing window (default 30 days)."""

    start: datetime
    end: datetime
    active_at_start: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class KpiSnapshot:
    """The business over the last 24 h against the 24 h before, plus trailing churn."""

    taken_at: datetime
    currency: str
    current: WindowCounts
    previous: WindowCounts
    churn: ChurnCounts

    @property
    def revenue(self) -> Money:
        """Revenue of the current window."""
        return Money(self.current.revenue, self.currency)

    @property
    def previous_revenue(self) -> Money:
        """Revenue of the comparison window."""
        return Money(self.previous.revenue, self.currency)


@dataclass(frozen=True, slots=True)
class Kpis:
    """Rates and changes derived from a snapshot by `engine.kpis`; None when undefined."""

    revenue: Money
    revenue_growth_pct: float | None
    orders: int
    orders_growth_pct: float | None
    conversion_rate: float | None
    abandoned_carts: int
    abandonment_rate: float | None
    payment_success_rate: float | None
    churn_rate: float | None
    errors: int
    refunds: Money
    discounts: Money


# --- Detect --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired this cycle; becomes or updates an `Issue`."""

    kind: IssueKind
    severity: Severity
    dedup_key: str
    headline: str
    metric: float
    threshold: float
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem that is (or was) open, as stored."""

    id: int
    kind: IssueKind
    severity: Severity
    dedup_key: str
    headline: str
    metric: float
    threshold: float
    evidence: tuple[tuple[str, str], ...]
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    snoozed_until: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True until the rule stops firing."""
        return self.resolved_at is None


@dataclass(frozen=True, slots=True)
class IssueChanges:
    """What reconciling this cycle's findings with the open issues does."""

    opened: tuple[Finding, ...]
    updated: tuple[tuple[Issue, Finding], ...]
    resolved: tuple[Issue, ...]


# --- Data for recover / optimize ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AbandonedCart:
    """A cart left without checkout, with who to remind."""

    cart_id: str
    customer_id: str
    email: str
    value: int  # minor units
    abandoned_at: datetime
    product_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FailedPayment:
    """A payment that failed and has not been recovered."""

    payment_id: str
    customer_id: str
    email: str
    amount: int  # minor units
    decline_code: str
    hard_decline: bool
    failed_at: datetime


@dataclass(frozen=True, slots=True)
class ChurnedCustomer:
    """A customer whose subscription ended recently."""

    customer_id: str
    email: str
    lifetime_value: int  # minor units
    cancelled_at: datetime


@dataclass(frozen=True, slots=True)
class ProductStats:
    """One product's recent sales economics, for `engine.optimize`."""

    product_id: str
    name: str
    price: int  # minor units, current list price
    unit_cost: int  # minor units
    views: int  # sessions that viewed (or carted) the product
    units: int  # units sold
    orders: int  # orders containing it
    revenue: int  # minor units, after discounts
    discounts: int  # minor units
    refunds: int  # minor units
    refunded_units: int


@dataclass(frozen=True, slots=True)
class ProductPair:
    """Two products bought together in the same order."""

    first_id: str
    second_id: str
    orders_together: int


@dataclass(frozen=True, slots=True)
class ShopData:
    """Everything recover/optimize/generate read, gathered by the shell in one go."""

    currency: str
    abandoned_carts: tuple[AbandonedCart, ...]
    failed_payments: tuple[FailedPayment, ...]
    churned_customers: tuple[ChurnedCustomer, ...]
    products: tuple[ProductStats, ...]
    pairs: tuple[ProductPair, ...]
    recent_buyers: tuple[tuple[str, str], ...] = ()  # (customer_id, email) who bought lately
    error_samples: tuple[tuple[str, int], ...] = ()  # (error message, count) in the window
    days: int = 30  # the period `products`, `pairs` and `recent_buyers` cover


# --- Actions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """One recipient or object of an action: a customer, a payment, a product."""

    key: str  # unique within the action, e.g. "cart:c123" or "payment:p9"
    customer_id: str | None = None
    email: str | None = None
    value: int = 0  # minor units at stake for this target
    ref: str | None = None  # cart, payment or product id the action acts on


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


# --- Learn ---------------------------------------------------------------------------------


class LearnEventKind(StrEnum):
    """What the learner hears about an arm."""

    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    VALUE = "value"  # revenue attributed later to a run that already succeeded
    ENABLED = "enabled"  # a person switched an arm back on after "never do this"


@dataclass(frozen=True, slots=True)
class LearnEvent:
    """One decision or outcome for an arm, in time order."""

    arm: str
    kind: LearnEventKind
    at: datetime
    reason: RejectReason | None = None
    value: int = 0  # minor units attributed, for SUCCEEDED and VALUE


@dataclass(frozen=True, slots=True)
class ArmState:
    """The learner's belief about one arm: plain counts plus discounted posterior evidence.

    Counts explain; the evidence (pseudo-counts on top of the priors, forgotten over time)
    decides. `*_drop` is a CUSUM statistic that detects a fall below the posterior.
    """

    arm: str
    approved: int = 0
    rejected: int = 0
    expired: int = 0
    succeeded: int = 0
    failed: int = 0
    value_total: int = 0  # minor units over succeeded runs
    disabled: bool = False  # "never do this", until ENABLED
    approve_yes: float = 0.0
    approve_no: float = 0.0
    approve_recent_yes: float = 0.0
    approve_recent_no: float = 0.0
    approve_drop: float = 0.0
    success_yes: float = 0.0
    success_no: float = 0.0
    success_recent_yes: float = 0.0
    success_recent_no: float = 0.0
    success_drop: float = 0.0
    value_weight: float = 0.0
    value_sum: float = 0.0
    resets: int = 0  # changes detected
    updated_at: datetime | None = None  # time the evidence was last discounted to

    @property
    def pending(self) -> int:
        """Approved runs whose outcome has not landed yet."""
        return max(0, self.approved - self.succeeded - self.failed)


# --- Report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalView:
    """A proposal as a report shows it."""

    action_id: str
    kind: ActionKind
    title: str
    target_count: int
    expected_value: Money | None
    reason: str
    runnable: bool
    issue_kind: IssueKind | None


@dataclass(frozen=True, slots=True)
class CycleReport:
    """What one cycle saw and did: data for the Slack and terminal renderers."""

    cycle_id: int
    ran_at: datetime
    kpis: Kpis
    opened: tuple[Issue, ...]
    resolved: tuple[Issue, ...]
    open_issues: tuple[Issue, ...]
    proposals: tuple[ProposalView, ...]
    advice: tuple[ProposalView, ...]
    pending_count: int
    expired_count: int
    step_ms: tuple[tuple[str, float], ...] = field(default=())
    lifts: tuple[tuple[str, str], ...] = ()  # (action kind, measured lift against its control)

    @property
    def needs_attention(self) -> bool:
        """True when people should be told: a new issue, a new proposal or a resolution."""
        return bool(self.opened or self.resolved or self.proposals)
