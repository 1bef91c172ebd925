"""Join the per-area migrations into one head.

Revision ID: 0007_merge_areas
Revises: 0002_templates, 0003_webhooks, 0004_invoices, 0005_records, 0006_envelopes
"""

from collections.abc import Sequence

revision: str = "0007_merge_areas"
down_revision: str | Sequence[str] | None = (
    "0002_templates",
    "0003_webhooks",
    "0004_invoices",
    "0005_records",
    "0006_envelopes",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
