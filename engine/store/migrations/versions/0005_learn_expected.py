"""Learner events carry what a valued run was expected to earn and the value's standard error.

The learner corrects a candidate's estimate by how measured runs compared with theirs, each
weighed by how reliable its measurement is. Events stored before this revision load with 0
(unknown) for both: their runs count as expected to earn what the ranked candidate is, and as
exact, which is how they were weighed before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learner_events") as batch:
        batch.add_column(sa.Column("expected", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("noise", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("learner_events") as batch:
        batch.drop_column("noise")
        batch.drop_column("expected")
