"""Vault reveal attempts: wrong passwords before a reveal are counted per person

Revision ID: 0011_vault_reveal_attempts
Revises: 0010_pages
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_vault_reveal_attempts"
down_revision: str | Sequence[str] | None = "0010_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vaultrevealattempt",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("org_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("vault_item_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vaultrevealattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vaultrevealattempt_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_vaultrevealattempt_user", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vaultrevealattempt", schema=None) as batch_op:
        batch_op.drop_index("ix_vaultrevealattempt_user")
        batch_op.drop_index(batch_op.f("ix_vaultrevealattempt_org_id"))
    op.drop_table("vaultrevealattempt")
