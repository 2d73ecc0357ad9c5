"""Learner arms as JSON state: two-stage posteriors, forgetting and change detection.

The arm states are a fold of `learner_events`, so the table is recreated empty and the
learner's cursor removed: the next cycle folds the whole event log again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURSOR = sa.text("DELETE FROM app_state WHERE key = 'learner_cursor'")


def upgrade() -> None:
    op.drop_table("learner_arms")
    op.create_table(
        "learner_arms",
        sa.Column("arm", sa.String(length=160), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("arm", name=op.f("pk_learner_arms")),
    )
    op.execute(CURSOR)


def downgrade() -> None:
    op.drop_table("learner_arms")
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
    op.execute(CURSOR)
