"""The engine's tables as SQLAlchemy 2 typed declarative models (the migrations mirror them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.store.coltypes import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MinorUnits = BigInteger  # minor units can pass 2**31 in currencies such as JPY, KRW or INR


class Base(DeclarativeBase):
    """Declarative base whose metadata holds every table the store owns."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


def owns_table(name: str) -> bool:
    """True for tables in the store's metadata (the demo shop's `shop_` tables are not)."""
    return name in Base.metadata.tables


class KpiSnapshotRow(Base):
    """One KPI snapshot: the current and previous 24 h windows plus trailing churn."""

    __tablename__ = "kpi_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(index=True)
    currency: Mapped[str] = mapped_column(String(3))
    cur_start: Mapped[datetime]
    cur_end: Mapped[datetime]
    cur_revenue: Mapped[int] = mapped_column(MinorUnits)
    cur_refunds: Mapped[int] = mapped_column(MinorUnits)
    cur_discounts: Mapped[int] = mapped_column(MinorUnits)
    cur_orders: Mapped[int]
    cur_sessions: Mapped[int]
    cur_carts: Mapped[int]
    cur_abandoned_carts: Mapped[int]
    cur_payment_attempts: Mapped[int]
    cur_payment_failures: Mapped[int]
    cur_errors: Mapped[int]
    prev_start: Mapped[datetime]
    prev_end: Mapped[datetime]
    prev_revenue: Mapped[int] = mapped_column(MinorUnits)
    prev_refunds: Mapped[int] = mapped_column(MinorUnits)
    prev_discounts: Mapped[int] = mapped_column(MinorUnits)
    prev_orders: Mapped[int]
    prev_sessions: Mapped[int]
    prev_carts: Mapped[int]
    prev_abandoned_carts: Mapped[int]
    prev_payment_attempts: Mapped[int]
    prev_payment_failures: Mapped[int]
    prev_errors: Mapped[int]
    churn_start: Mapped[datetime]
    churn_end: Mapped[datetime]
    churn_active_at_start: Mapped[int]
    churn_cancelled: Mapped[int]


class IssueRow(Base):
    """An issue; at most one open (unresolved) row per dedup key."""

    __tablename__ = "issues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(255))
    headline: Mapped[str] = mapped_column(Text)
    metric: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]]
    opened_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(index=True)
    alert_channel: Mapped[str | None] = mapped_column(String(64))
    alert_ts: Mapped[str | None] = mapped_column(String(32))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None]
    last_reminded_at: Mapped[datetime | None] = mapped_column(index=True)


# At most one open issue per dedup key; resolved ones may repeat it.
Index(
    "uq_issues_open_dedup_key",
    IssueRow.dedup_key,
    unique=True,
    sqlite_where=IssueRow.resolved_at.is_(None),
    postgresql_where=IssueRow.resolved_at.is_(None),
)


class CycleRunRow(Base):
    """One cycle run; the unique slot makes two processes never run the same slot."""

    __tablename__ = "cycle_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[str] = mapped_column(String(64), unique=True)
    trigger: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    # Wall-clock time of the claim: staleness is judged by it, since `started_at` may be a
    # simulated demo time.
    claimed_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    report: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)


class ActionRow(Base):
    """A proposal: what it does, to whom (action_targets), the exact content and its state."""

    __tablename__ = "actions"
    __table_args__ = (
        # Hash, not btree: a key listing hundreds of targets passes PostgreSQL's btree row limit.
        Index("ix_actions_target_key", "target_key", postgresql_using="hash"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycle_runs.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(64))
    arm: Mapped[str] = mapped_column(String(160), index=True)
    issue_kind: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    params: Mapped[list[Any]]
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(128))
    target_key: Mapped[str] = mapped_column(Text)
    expected_value: Mapped[int | None] = mapped_column(MinorUnits)
    currency: Mapped[str | None] = mapped_column(String(3))
    money_touching: Mapped[bool] = mapped_column(Boolean)
    runnable: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    card_channel: Mapped[str | None] = mapped_column(String(64))
    card_ts: Mapped[str | None] = mapped_column(String(32))


class ActionTargetRow(Base):
    """One target of an action and how sending to it went."""

    __tablename__ = "action_targets"
    __table_args__ = (UniqueConstraint("action_id", "target_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    target_key: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(320))
    ref: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(Text)  # display name (migration 0004)
    value: Mapped[int] = mapped_column(MinorUnits)
    state: Mapped[str] = mapped_column(String(16), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(index=True)


class DecisionRow(Base):
    """The audit trail: who decided what about an action, when, having seen which content."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    content_hash_seen: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class ExecutionRow(Base):
    """The outbox: one row per approved action, claimed by the worker with a lease."""

    __tablename__ = "executions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(16), index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(Text)


class OutcomeRow(Base):
    """A measured result of an executed action (e.g. revenue attributed to it)."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3))
    observed_at: Mapped[datetime] = mapped_column(index=True)
    detail: Mapped[dict[str, Any] | None]


class LearnerEventRow(Base):
    """The learner's append-only event log; the id is the learner's cursor."""

    __tablename__ = "learner_events"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids never reused: the cursor only grows

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    arm: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(MinorUnits, default=0)
    expected: Mapped[int] = mapped_column(MinorUnits, default=0, server_default="0")
    noise: Mapped[int] = mapped_column(MinorUnits, default=0, server_default="0")


class LearnerArmRow(Base):
    """The learner's folded belief about one arm, as JSON so new fields need no migration."""

    __tablename__ = "learner_arms"

    arm: Mapped[str] = mapped_column(String(160), primary_key=True)
    state: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class AppStateRow(Base):
    """Small key/value settings the process keeps: the learner cursor, paused, and so on."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SuppressionRow(Base):
    """An address that must not be e-mailed again: unsubscribed or bounced."""

    __tablename__ = "email_suppressions"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower-cased
    reason: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
