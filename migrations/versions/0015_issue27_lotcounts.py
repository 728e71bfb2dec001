"""stock_count_lines.lot_id: counts count a lot-tracked item per (item, location, lot)

Revision ID: 0015_issue27_lotcounts
Revises: 0014_issue32_location_value

The line's uniqueness becomes (count, item, location, lot), with no lot as 0 so that an untracked
item still has one line per place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_issue27_lotcounts"
down_revision = "0014_issue32_location_value"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stock_count_lines") as batch:
        batch.add_column(
            sa.Column("lot_id", sa.Integer(), sa.ForeignKey("lots.id", name="fk_count_lines_lot"), nullable=True)
        )
        batch.drop_constraint("uq_stock_count_lines_count_item_location", type_="unique")
    op.create_index(
        "uq_stock_count_lines_count_item_location_lot",
        "stock_count_lines",
        ["count_id", "item_id", "location_id", sa.text("coalesce(lot_id, 0)")],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_stock_count_lines_count_item_location_lot", table_name="stock_count_lines")
    with op.batch_alter_table("stock_count_lines") as batch:
        batch.create_unique_constraint(
            "uq_stock_count_lines_count_item_location", ["count_id", "item_id", "location_id"]
        )
        batch.drop_constraint("fk_count_lines_lot", type_="foreignkey")
        batch.drop_column("lot_id")
