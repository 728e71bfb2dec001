"""stock_count_lines.lot_id: counts count a lot-tracked item per (item, location, lot)

Revision ID: 0015_issue27_lotcounts
Revises: 0014_issue32_location_value

The line's uniqueness becomes (count, item, location, lot), with no lot as 0 so that an untracked
item still has one line per place.
"""

import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0015_issue27_lotcounts"
down_revision = "0014_issue32_location_value"
branch_labels = None
depends_on = None


@contextmanager
def _count_lines_batch():
    """A batch on stock_count_lines. On SQLite its "move and copy" reflects the tables the lines
    point at; locations' expression index (uq_locations_sibling_name) cannot be reflected, which is
    harmless here (locations is not rebuilt) but would print a warning in `make run`."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("stock_count_lines") as batch:
            yield batch


def upgrade():
    with _count_lines_batch() as batch:
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
    with _count_lines_batch() as batch:
        batch.create_unique_constraint(
            "uq_stock_count_lines_count_item_location", ["count_id", "item_id", "location_id"]
        )
        batch.drop_constraint("fk_count_lines_lot", type_="foreignkey")
        batch.drop_column("lot_id")
