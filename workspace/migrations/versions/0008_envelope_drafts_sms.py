"""Signer phone and password delivery channel; the text-message outbox

Revision ID: 0008_envelope_drafts_sms
Revises: 0007_merge_areas
Create Date: 2026-11-23 17:10:29.719143
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_envelope_drafts_sms"
down_revision: str | Sequence[str] | None = "0007_merge_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "textmessage",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("org_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("to_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("to_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("provider_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("textmessage", schema=None) as batch_op:
        batch_op.create_index("ix_textmessage_org_created", ["org_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_textmessage_to_phone"), ["to_phone"], unique=False)

    with op.batch_alter_table("envelopesigner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "password_delivery",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="email",  # existing signers got their passwords by email
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("envelopesigner", schema=None) as batch_op:
        batch_op.drop_column("password_delivery")
        batch_op.drop_column("phone")

    with op.batch_alter_table("textmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_textmessage_to_phone"))
        batch_op.drop_index("ix_textmessage_org_created")

    op.drop_table("textmessage")
