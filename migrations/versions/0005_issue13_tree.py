"""location tree (materialized path) and decimal quantities

Revision ID: 0005_issue13_tree
Revises: 0005_issue12_outbox_attempts

- locations get parent_id, path_key ("/1/5/12/", byte-ordered so a subtree is one index
  range scan), path ("Main Warehouse / Aisle A / Bin B2"), depth and is_structural.
  Existing locations become roots: path_key "/<id>/", path = name, depth 0.
- Names become unique among live siblings instead of globally.
- Quantities become NUMERIC(18, 3) and items get `decimals` (0 to 3). On SQLite the
  columns keep their declared INTEGER type: SQLite's type affinity stores a value that is
  not a whole number as it is, and SQLAlchemy's Numeric reads it back as an exact Decimal
  of three places; rebuilding the tables (and the ledger's guard triggers) gains nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_issue13_tree"
down_revision = "0005_issue12_outbox_attempts"
branch_labels = None
depends_on = None

_LIVE = {"postgresql_where": sa.text("deleted_at IS NULL"), "sqlite_where": sa.text("deleted_at IS NULL")}
QTY = sa.Numeric(18, 3)
# (table, column) holding a quantity of an item's unit.
QUANTITY_COLUMNS = [
    ("items", "quantity"),
    ("items", "low_stock_threshold"),
    ("stock_levels", "quantity"),
    ("inventory_logs", "quantity_before"),
    ("inventory_logs", "quantity_after"),
    ("inventory_logs", "delta"),
    ("alerts", "quantity"),
    ("alerts", "threshold"),
    ("cart_lines", "quantity"),
    ("stock_request_lines", "quantity"),
]


def upgrade():
    pg = _is_pg()
    path_key = sa.String(1000, collation="C") if pg else sa.String(1000)
    # Plain ADD COLUMN on both databases: a batch rebuild on SQLite would drop tables that
    # others reference (refused with foreign keys on) and lose the ledger's triggers.
    if pg:
        op.add_column("locations", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_locations_parent_id_locations"), "locations", "locations", ["parent_id"], ["id"])
    else:
        op.execute("ALTER TABLE locations ADD COLUMN parent_id INTEGER REFERENCES locations (id)")
    op.add_column("locations", sa.Column("path_key", path_key, nullable=False, server_default=""))
    op.add_column("locations", sa.Column("path", sa.Text(), nullable=False, server_default=""))
    op.add_column("locations", sa.Column("depth", sa.SmallInteger(), nullable=False, server_default="0"))
    op.add_column("locations", sa.Column("is_structural", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.drop_index("uq_locations_name_live", table_name="locations")
    concat = "'/' || CAST(id AS TEXT) || '/'"
    op.execute(f"UPDATE locations SET path_key = {concat}, path = name, depth = 0")
    op.create_index("ix_locations_parent_id", "locations", ["parent_id"])
    op.create_index("ix_locations_path_key", "locations", ["path_key"])
    op.create_index(
        "uq_locations_sibling_name",
        "locations",
        [sa.text("coalesce(parent_id, 0)"), sa.text("lower(name)")],
        unique=True,
        **_LIVE,
    )

    op.add_column("items", sa.Column("decimals", sa.SmallInteger(), nullable=False, server_default="0"))
    if pg:  # on SQLite the schema and services keep decimals in range (a CHECK would need a table rebuild)
        op.create_check_constraint(op.f("ck_items_decimals_range"), "items", "decimals BETWEEN 0 AND 3")
        for table, column in QUANTITY_COLUMNS:
            op.alter_column(table, column, type_=QTY, existing_nullable=False)
        op.alter_column("category_stats", "total_units", type_=sa.Numeric(24, 3), existing_nullable=False)
        # quantity (3 places) x price (2 places): kept exact.
        op.alter_column("category_stats", "total_value", type_=sa.Numeric(38, 5), existing_nullable=False)


def downgrade():
    pg = _is_pg()
    if pg:
        op.alter_column("category_stats", "total_value", type_=sa.Numeric(38, 2), existing_nullable=False)
        op.alter_column("category_stats", "total_units", type_=sa.BigInteger(), existing_nullable=False)
        for table, column in QUANTITY_COLUMNS:
            # Only whole quantities go back to INTEGER; a fractional one stops the downgrade.
            op.alter_column(
                table, column, type_=sa.Integer(), existing_nullable=False, postgresql_using=f"{column}::integer"
            )
    if pg:
        op.drop_constraint(op.f("ck_items_decimals_range"), "items", type_="check")
    op.drop_column("items", "decimals")
    op.drop_index("uq_locations_sibling_name", table_name="locations")
    op.drop_index("ix_locations_path_key", table_name="locations")
    op.drop_index("ix_locations_parent_id", table_name="locations")
    if pg:
        op.drop_constraint(op.f("fk_locations_parent_id_locations"), "locations", type_="foreignkey")
    for column in ("is_structural", "depth", "path", "path_key", "parent_id"):
        op.drop_column("locations", column)  # SQLite 3.35+ drops a column in place
    op.create_index("uq_locations_name_live", "locations", ["name"], unique=True, **_LIVE)


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"
