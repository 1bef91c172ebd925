"""Organizations choose the currency new invoices and subscriptions start in

Revision ID: 0012_default_currency
Revises: 0011_vault_reveal_attempts
Create Date: 2026-12-06 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_default_currency"
down_revision: str | Sequence[str] | None = "0011_vault_reveal_attempts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.add_column(
            sa.Column(
                "default_currency",
                sqlmodel.sql.sqltypes.AutoString(length=3),
                nullable=False,
                server_default="NGN",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("organization") as batch:
        batch.drop_column("default_currency")
