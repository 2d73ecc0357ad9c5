"""Initial tables: snapshots, issues, actions, outbox, outcomes, learner, cycles, app state.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_app_state()
    _create_cycle_runs()
    _create_issues()
    _create_kpi_snapshots()
    _create_learner_arms()
    _create_learner_events()
    _create_actions()
    _create_action_targets()
    _create_decisions()
    _create_executions()
    _create_outcomes()


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    op.drop_table("outcomes")
    op.drop_table("executions")
    op.drop_table("decisions")
    op.drop_table("action_targets")
    op.drop_table("actions")
    op.drop_table("learner_events")
    op.drop_table("learner_arms")
    op.drop_table("kpi_snapshots")
    op.drop_table("issues")
    op.drop_table("cycle_runs")
    op.drop_table("app_state")


def _create_app_state() -> None:
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )


def _create_cycle_runs() -> None:
    op.create_table(
        "cycle_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_runs")),
        sa.UniqueConstraint("slot", name=op.f("uq_cycle_runs_slot")),
    )
    op.create_index(op.f("ix_cycle_runs_finished_at"), "cycle_runs", ["finished_at"], unique=False)
    op.create_index(op.f("ix_cycle_runs_started_at"), "cycle_runs", ["started_at"], unique=False)
    op.create_index(op.f("ix_cycle_runs_claimed_at"), "cycle_runs", ["claimed_at"], unique=False)
    op.create_index(op.f("ix_cycle_runs_state"), "cycle_runs", ["state"], unique=False)


def _create_issues() -> None:
    op.create_table(
        "issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("dedup_key", sa.String(length=255), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("metric", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alert_channel", sa.String(length=64), nullable=True),
        sa.Column("alert_ts", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issues")),
    )
    op.create_index(
        op.f("ix_issues_last_reminded_at"), "issues", ["last_reminded_at"], unique=False
    )
    op.create_index(op.f("ix_issues_opened_at"), "issues", ["opened_at"], unique=False)
    op.create_index(op.f("ix_issues_resolved_at"), "issues", ["resolved_at"], unique=False)
    op.create_index(op.f("ix_issues_snoozed_until"), "issues", ["snoozed_until"], unique=False)
    op.create_index(
        "uq_issues_open_dedup_key",
        "issues",
        ["dedup_key"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def _create_kpi_snapshots() -> None:
    op.create_table(
        "kpi_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cur_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cur_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cur_revenue", sa.BigInteger(), nullable=False),
        sa.Column("cur_refunds", sa.BigInteger(), nullable=False),
        sa.Column("cur_discounts", sa.BigInteger(), nullable=False),
        sa.Column("cur_orders", sa.Integer(), nullable=False),
        sa.Column("cur_sessions", sa.Integer(), nullable=False),
        sa.Column("cur_carts", sa.Integer(), nullable=False),
        sa.Column("cur_abandoned_carts", sa.Integer(), nullable=False),
        sa.Column("cur_payment_attempts", sa.Integer(), nullable=False),
        sa.Column("cur_payment_failures", sa.Integer(), nullable=False),
        sa.Column("cur_errors", sa.Integer(), nullable=False),
        sa.Column("prev_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_revenue", sa.BigInteger(), nullable=False),
        sa.Column("prev_refunds", sa.BigInteger(), nullable=False),
        sa.Column("prev_discounts", sa.BigInteger(), nullable=False),
        sa.Column("prev_orders", sa.Integer(), nullable=False),
        sa.Column("prev_sessions", sa.Integer(), nullable=False),
        sa.Column("prev_carts", sa.Integer(), nullable=False),
        sa.Column("prev_abandoned_carts", sa.Integer(), nullable=False),
        sa.Column("prev_payment_attempts", sa.Integer(), nullable=False),
        sa.Column("prev_payment_failures", sa.Integer(), nullable=False),
        sa.Column("prev_errors", sa.Integer(), nullable=False),
        sa.Column("churn_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("churn_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("churn_active_at_start", sa.Integer(), nullable=False),
        sa.Column("churn_cancelled", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_snapshots")),
    )
    op.create_index(op.f("ix_kpi_snapshots_taken_at"), "kpi_snapshots", ["taken_at"], unique=False)


def _create_learner_arms() -> None:
    op.create_table(
        "learner_arms",
        sa.Column("arm", sa.String(length=160), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("beta", sa.Float(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("value_total", sa.BigInteger(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("arm", name=op.f("pk_learner_arms")),
    )


def _create_learner_events() -> None:
    op.create_table(
        "learner_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("arm", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_events")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_learner_events_arm"), "learner_events", ["arm"], unique=False)
    op.create_index(op.f("ix_learner_events_at"), "learner_events", ["at"], unique=False)


def _create_actions() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=160), nullable=False),
        sa.Column("issue_kind", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("target_key", sa.Text(), nullable=False),
        sa.Column("expected_value", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("money_touching", sa.Boolean(), nullable=False),
        sa.Column("runnable", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("card_channel", sa.String(length=64), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle_runs.id"],
            name=op.f("fk_actions_cycle_id_cycle_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_actions_idempotency_key")),
    )
    op.create_index(op.f("ix_actions_arm"), "actions", ["arm"], unique=False)
    op.create_index(op.f("ix_actions_created_at"), "actions", ["created_at"], unique=False)
    op.create_index(op.f("ix_actions_cycle_id"), "actions", ["cycle_id"], unique=False)
    op.create_index(op.f("ix_actions_decided_at"), "actions", ["decided_at"], unique=False)
    op.create_index(op.f("ix_actions_expires_at"), "actions", ["expires_at"], unique=False)
    op.create_index(op.f("ix_actions_state"), "actions", ["state"], unique=False)
    op.create_index(
        "ix_actions_target_key", "actions", ["target_key"], unique=False, postgresql_using="hash"
    )


def _create_action_targets() -> None:
    op.create_table(
        "action_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=16), nullable=False),
        sa.Column("target_key", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("ref", sa.String(length=255), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_targets_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_targets")),
        sa.UniqueConstraint(
            "action_id", "target_key", name=op.f("uq_action_targets_action_id_target_key")
        ),
    )
    op.create_index(op.f("ix_action_targets_state"), "action_targets", ["state"], unique=False)
    op.create_index(
        op.f("ix_action_targets_updated_at"), "action_targets", ["updated_at"], unique=False
    )


def _create_decisions() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash_seen", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_decisions_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_action_id"), "decisions", ["action_id"], unique=False)
    op.create_index(op.f("ix_decisions_at"), "decisions", ["at"], unique=False)


def _create_executions() -> None:
    op.create_table(
        "executions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_executions_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executions")),
        sa.UniqueConstraint("action_id", name=op.f("uq_executions_action_id")),
    )
    op.create_index(op.f("ix_executions_created_at"), "executions", ["created_at"], unique=False)
    op.create_index(op.f("ix_executions_finished_at"), "executions", ["finished_at"], unique=False)
    op.create_index(
        op.f("ix_executions_lease_expires_at"), "executions", ["lease_expires_at"], unique=False
    )
    op.create_index(op.f("ix_executions_state"), "executions", ["state"], unique=False)


def _create_outcomes() -> None:
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_outcomes_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    op.create_index(op.f("ix_outcomes_action_id"), "outcomes", ["action_id"], unique=False)
    op.create_index(op.f("ix_outcomes_observed_at"), "outcomes", ["observed_at"], unique=False)
