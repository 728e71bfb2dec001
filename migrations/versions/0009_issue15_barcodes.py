"""item barcodes, and the look-ups a scan makes

Revision ID: 0009_issue15_barcodes
Revises: 0008_issue14_imports

- item_barcodes: an item's manufacturer barcodes, any number per item, found by code.
- ix_items_sku_lower: a scanned SKU is matched case-insensitively among active items
  with one index probe, at any number of items.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_issue15_barcodes"
down_revision = "0008_issue14_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_barcodes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "code", name="uq_item_barcodes_item_code"),
    )
    op.create_index("ix_item_barcodes_code", "item_barcodes", ["code"])
    op.create_index(
        "ix_items_sku_lower",
        "items",
        [sa.text("lower(sku)")],
        postgresql_where=sa.text("NOT is_deleted"),
        sqlite_where=sa.text("is_deleted = 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_items_sku_lower", table_name="items")
    op.drop_index("ix_item_barcodes_code", table_name="item_barcodes")
    op.drop_table("item_barcodes")
