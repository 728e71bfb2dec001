"""indexes and counters for large inventories

Revision ID: 0004
Revises: 0003

- category_stats: per-category (striped) counters kept by app/services/counters.py,
  filled here from the items already present.
- Indexes fitting the list's filters and sorts: partial composite indexes for
  "category + sort by quantity" and "low stock", so pages and their exact totals are
  read from an index; on PostgreSQL, trigram (pg_trgm) GIN indexes for partial
  name/SKU search (ILIKE '%text%').
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STRIPES = 16  # app.services.counters.STRIPES

_ACTIVE = {"postgresql_where": sa.text("NOT is_deleted"), "sqlite_where": sa.text("is_deleted = 0")}
_LOW = {
    "postgresql_where": sa.text("NOT is_deleted AND quantity < low_stock_threshold"),
    "sqlite_where": sa.text("is_deleted = 0 AND quantity < low_stock_threshold"),
}


def upgrade():
    op.create_table(
        "category_stats",
        sa.Column("category_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stripe", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("item_count", sa.BigInteger(), nullable=False),
        sa.Column("total_units", sa.BigInteger(), nullable=False),
        sa.Column("total_value", sa.Numeric(38, 2), nullable=False),
        sa.Column("low_stock_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("category_key", "stripe", name=op.f("pk_category_stats")),
    )
    op.execute(
        "INSERT INTO category_stats (category_key, stripe, item_count, total_units, total_value, low_stock_count) "
        f"SELECT COALESCE(category_id, 0), id % {STRIPES}, count(*), COALESCE(sum(quantity), 0), "
        "COALESCE(sum(quantity * price), 0), sum(CASE WHEN quantity < low_stock_threshold THEN 1 ELSE 0 END) "
        f"FROM items WHERE is_deleted = {'false' if _is_pg() else '0'} "
        f"GROUP BY COALESCE(category_id, 0), id % {STRIPES}"
    )
    # Category filter with a quantity sort (and its exact count, read from the index alone).
    op.create_index(
        "ix_items_active_category_quantity",
        "items",
        ["category_id", "quantity", "id"],
        postgresql_include=["low_stock_threshold"],
        **_ACTIVE,
    )
    # Low-stock lists: only the items below their threshold are in it.
    op.create_index("ix_items_low_stock_category_quantity", "items", ["category_id", "quantity", "id"], **_LOW)
    op.create_index("ix_items_low_stock_quantity", "items", ["quantity", "id"], **_LOW)
    # Sort by quantity over all items: deep pages skip rows inside this index (index-only).
    op.create_index("ix_items_active_quantity_id", "items", ["quantity", "id"], **_ACTIVE)
    if _is_pg():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_items_name_trgm", "items", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
        )
        op.create_index(
            "ix_items_sku_trgm", "items", ["sku"], postgresql_using="gin", postgresql_ops={"sku": "gin_trgm_ops"}
        )


def downgrade():
    if _is_pg():
        op.drop_index("ix_items_sku_trgm", table_name="items")
        op.drop_index("ix_items_name_trgm", table_name="items")
    op.drop_index("ix_items_active_quantity_id", table_name="items")
    op.drop_index("ix_items_low_stock_quantity", table_name="items")
    op.drop_index("ix_items_low_stock_category_quantity", table_name="items")
    op.drop_index("ix_items_active_category_quantity", table_name="items")
    op.drop_table("category_stats")


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
