"""purchasing: suppliers, supplier offers, purchase orders and their lines; reorder policy on items

Revision ID: 0011_issue21_purchasing
Revises: 0010_issue20_counts

Items gain reorder_point, reorder_quantity, max_stock (all optional) and on_order (the
open quantity on sent orders, 0 for every existing item: there are no orders yet).
Ledger rows of receipts point at their order and order line.
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0011_issue21_purchasing"
down_revision = "0010_issue20_counts"
branch_labels = None
depends_on = None

QUANTITY = sa.Numeric(18, 3)
UNIT_PRICE = sa.Numeric(14, 4)


def _timestamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade():
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("lead_time_days BETWEEN 0 AND 3650", name=op.f("ck_suppliers_lead_time_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("name", name=op.f("uq_suppliers_name")),
    )
    op.create_table(
        "supplier_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("supplier_sku", sa.String(length=64), nullable=True),
        sa.Column("pack_size", QUANTITY, nullable=False),
        sa.Column("unit_price", UNIT_PRICE, nullable=False),
        sa.Column("min_order_quantity", QUANTITY, nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_supplier_offers_pack_size_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_supplier_offers_unit_price_non_negative")),
        sa.CheckConstraint("min_order_quantity >= 0", name=op.f("ck_supplier_offers_min_order_non_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_supplier_offers_item_id_items")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_supplier_offers_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_offers")),
        sa.UniqueConstraint("item_id", "supplier_id", name="uq_supplier_offers_item_supplier"),
    )
    op.create_index(op.f("ix_supplier_offers_item_id"), "supplier_offers", ["item_id"], unique=False)
    op.create_index(op.f("ix_supplier_offers_supplier_id"), "supplier_offers", ["supplier_id"], unique=False)
    op.create_index(
        "uq_supplier_offers_preferred",
        "supplier_offers",
        ["item_id"],
        unique=True,
        postgresql_where=sa.text("preferred"),
        sqlite_where=sa.text("preferred = 1"),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("allow_over_receipt", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_to", sa.String(length=254), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'partially_received', 'received', 'cancelled')",
            name=op.f("ck_purchase_orders_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_purchase_orders_supplier_id_suppliers")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_purchase_orders_created_by_id_users")),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_purchase_orders_sent_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
    )
    op.create_index(op.f("ix_purchase_orders_supplier_id"), "purchase_orders", ["supplier_id"], unique=False)
    op.create_index("ix_purchase_orders_state_expected", "purchase_orders", ["state", "expected_date"], unique=False)
    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", QUANTITY, nullable=False),
        sa.Column("unit_price", UNIT_PRICE, nullable=False),
        sa.Column("received", QUANTITY, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_lines_quantity_positive")),
        sa.CheckConstraint("received >= 0", name=op.f("ck_purchase_order_lines_received_non_negative")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_purchase_order_lines_unit_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["purchase_orders.id"], name=op.f("fk_purchase_order_lines_order_id_purchase_orders")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_purchase_order_lines_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
    )
    op.create_index(op.f("ix_purchase_order_lines_order_id"), "purchase_order_lines", ["order_id"], unique=False)
    op.create_index(op.f("ix_purchase_order_lines_item_id"), "purchase_order_lines", ["item_id"], unique=False)

    # items: columns added in place on both databases. A batch "move and copy" on SQLite would
    # lose the lower(sku) unique index (0006), which SQLite's reflection cannot read back.
    if op.get_bind().dialect.name == "sqlite":
        for column in ("reorder_point", "reorder_quantity", "max_stock"):
            op.execute(f"ALTER TABLE items ADD COLUMN {column} NUMERIC(18, 3)")
        op.execute(
            "ALTER TABLE items ADD COLUMN on_order NUMERIC(18, 3) DEFAULT '0' NOT NULL "
            "CONSTRAINT ck_items_on_order_non_negative CHECK (on_order >= 0)"
        )
    else:
        for column in ("reorder_point", "reorder_quantity", "max_stock"):
            op.add_column("items", sa.Column(column, QUANTITY, nullable=True))
        op.add_column("items", sa.Column("on_order", QUANTITY, nullable=False, server_default="0"))
        op.create_check_constraint(op.f("ck_items_on_order_non_negative"), "items", "on_order >= 0")

    # inventory_logs keeps its append-only triggers: a batch "move and copy" on SQLite would
    # drop them, so the columns (with their foreign keys) are added in place, as 0003 did.
    links = (("purchase_order_id", "purchase_orders"), ("purchase_order_line_id", "purchase_order_lines"))
    for column, table in links:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE inventory_logs ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
        else:
            op.add_column("inventory_logs", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(
                op.f(f"fk_inventory_logs_{column}_{table}"), "inventory_logs", table, [column], ["id"]
            )
        op.create_index(op.f(f"ix_inventory_logs_{column}"), "inventory_logs", [column], unique=False)


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        links = (("purchase_order_line_id", "purchase_order_lines"), ("purchase_order_id", "purchase_orders"))
        for column, _table in links:
            op.drop_index(op.f(f"ix_inventory_logs_{column}"), table_name="inventory_logs")
        if op.get_bind().dialect.name == "sqlite":
            # SQLite cannot drop a column that carries a foreign key; rebuild the table and put
            # back the append-only guards that the rebuild dropped (as 0003's downgrade does).
            with op.batch_alter_table("inventory_logs", recreate="always") as batch:
                for column, _table in links:
                    batch.drop_column(column)
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER IF NOT EXISTS inventory_logs_no_{verb.lower()} BEFORE {verb} ON inventory_logs "
                    f"BEGIN SELECT RAISE(ABORT, 'inventory_logs is append-only: {verb} refused'); END"
                )
        else:
            for column, table in links:
                op.drop_constraint(op.f(f"fk_inventory_logs_{column}_{table}"), "inventory_logs", type_="foreignkey")
                op.drop_column("inventory_logs", column)
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_items_on_order_non_negative"), "items", type_="check")
    for column in ("on_order", "max_stock", "reorder_quantity", "reorder_point"):
        op.drop_column("items", column)  # in place (SQLite 3.35+): the lower(sku) index stays
    op.drop_table("purchase_order_lines")
    op.drop_table("purchase_orders")
    op.drop_index("uq_supplier_offers_preferred", table_name="supplier_offers")
    op.drop_table("supplier_offers")
    op.drop_table("suppliers")
