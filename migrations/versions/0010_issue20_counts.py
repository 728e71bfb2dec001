"""stock counts: counts and their lines, the ledger's count_id, cycle counting on locations

Revision ID: 0010_issue20_counts
Revises: 0012_issue13_location_stats

- stock_counts: one count of a location's subtree (open -> submitted -> approved | cancelled),
  blind or not, opened by a manager or by the cycle-count job (scheduled).
- stock_count_lines: an item at a location; the system quantity when it was counted, what
  was counted, by whom and when; the adjustment an approval applied and its value.
- inventory_logs.count_id: the count whose approval wrote the adjustment (nullable, indexed).
- locations.count_frequency_days, locations.last_counted_at: cycle counting.

Columns are added in place on both databases (no batch rebuild): rebuilding inventory_logs
on SQLite would drop its append-only triggers, rebuilding locations its expression index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_issue20_counts"
down_revision = "0012_issue13_location_stats"
branch_labels = None
depends_on = None

QUANTITY = sa.Numeric(18, 3)


def upgrade() -> None:
    op.create_table(
        "stock_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("item_ids", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("blind", sa.Boolean(), nullable=False),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("zero_uncounted", sa.Boolean(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'submitted', 'approved', 'cancelled')", name=op.f("ck_stock_counts_state_valid")
        ),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_stock_counts_location_id_locations")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_stock_counts_category_id_categories")
        ),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_stock_counts_opened_by_id_users")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_stock_counts_submitted_by_id_users")
        ),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_stock_counts_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_counts")),
    )
    op.create_index(op.f("ix_stock_counts_location_id"), "stock_counts", ["location_id"])
    op.create_index(op.f("ix_stock_counts_decided_at"), "stock_counts", ["decided_at"])
    op.create_index("ix_stock_counts_state_location", "stock_counts", ["state", "location_id"])

    op.create_table(
        "stock_count_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("expected", QUANTITY, nullable=False),
        sa.Column("counted", QUANTITY, nullable=True),
        sa.Column("counted_by_id", sa.Integer(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unexpected", sa.Boolean(), nullable=False),
        sa.Column("recount", sa.Boolean(), nullable=False),
        sa.Column("applied_delta", QUANTITY, nullable=True),
        sa.Column("variance_value", sa.Numeric(18, 2), nullable=True),
        sa.CheckConstraint(
            "counted IS NULL OR counted >= 0", name=op.f("ck_stock_count_lines_counted_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["count_id"], ["stock_counts.id"], name=op.f("fk_stock_count_lines_count_id_stock_counts")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_stock_count_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stock_count_lines_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["counted_by_id"], ["users.id"], name=op.f("fk_stock_count_lines_counted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_count_lines")),
        sa.UniqueConstraint(
            "count_id", "item_id", "location_id", name="uq_stock_count_lines_count_item_location"
        ),
    )
    op.create_index(op.f("ix_stock_count_lines_count_id"), "stock_count_lines", ["count_id"])
    op.create_index(op.f("ix_stock_count_lines_item_id"), "stock_count_lines", ["item_id"])

    # In place on both databases (see the docstring): SQLite adds a column with its REFERENCES.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE inventory_logs ADD COLUMN count_id INTEGER REFERENCES stock_counts (id)")
    else:
        op.add_column("inventory_logs", sa.Column("count_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_inventory_logs_count_id_stock_counts"), "inventory_logs", "stock_counts", ["count_id"], ["id"]
        )
    op.create_index(op.f("ix_inventory_logs_count_id"), "inventory_logs", ["count_id"])
    op.add_column("locations", sa.Column("count_frequency_days", sa.Integer(), nullable=True))
    op.add_column("locations", sa.Column("last_counted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("locations", "last_counted_at")  # SQLite 3.35+ drops a plain column in place
    op.drop_column("locations", "count_frequency_days")
    op.drop_index(op.f("ix_inventory_logs_count_id"), table_name="inventory_logs")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that carries a foreign key; rebuild the table and
        # put back the append-only guards that the rebuild dropped (as 0003 does).
        with op.batch_alter_table("inventory_logs", recreate="always") as batch_op:
            batch_op.drop_column("count_id")
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS inventory_logs_no_{verb.lower()} BEFORE {verb} ON inventory_logs "
                f"BEGIN SELECT RAISE(ABORT, 'inventory_logs is append-only: {verb} refused'); END"
            )
    else:
        op.drop_constraint(op.f("fk_inventory_logs_count_id_stock_counts"), "inventory_logs", type_="foreignkey")
        op.drop_column("inventory_logs", "count_id")
    op.drop_table("stock_count_lines")
    op.drop_table("stock_counts")
