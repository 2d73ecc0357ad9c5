"""Targets carry the customer's display name, for the {first_name} greeting of e-mails.

Nullable: targets stored before this revision, and targets without a known name, load with
name None and are greeted "there".

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_targets") as batch:
        batch.add_column(sa.Column("name", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_targets") as batch:
        batch.drop_column("name")
