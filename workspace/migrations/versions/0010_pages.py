"""Invoice indexes for the list page: totals read from one covering index, and the latest
change per organization found without a scan

Revision ID: 0010_pages
Revises: 0008_envelope_drafts_sms
Create Date: 2026-11-23 18:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_pages"
down_revision: str | Sequence[str] | None = "0008_envelope_drafts_sms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_org_totals",
            [
                "org_id",
                "test_mode",
                "status",
                "currency",
                "due_date",
                "total_minor",
                "paid_minor",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_invoice_org_updated", ["org_id", "test_mode", "updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_org_updated")
        batch_op.drop_index("ix_invoice_org_totals")
