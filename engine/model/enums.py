"""Enumerations of the domain: severities, issue and action kinds, states, reasons."""

from __future__ import annotations

from enum import StrEnum


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
