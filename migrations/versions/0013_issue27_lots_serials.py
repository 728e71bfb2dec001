"""lots, lot_levels, serials; items.tracking, shelf_life_days, expiry_required; the ledger's lot_id and serial

Revision ID: 0013_issue27_lots_serials
Revises: 0011_issue21_purchasing (the chain's real head: 0012 comes before 0010 and 0011)

Untracked items keep their rows as they are: a lot-tracked item's lot levels at a location sum to
its stock level there (docs/lots.md), so stock_levels, the counters and the location figures are
unchanged. Every existing item becomes `tracking = 'none'`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_issue27_lots_serials"
down_revision = "0011_issue21_purchasing"
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    # items: columns added in place on both databases. A batch "move and copy" on SQLite would
    # lose the lower(sku) unique index (0006), which SQLite's reflection cannot read back (as 0011).
    if sqlite:
        op.execute(
            "ALTER TABLE items ADD COLUMN tracking VARCHAR(8) DEFAULT 'none' NOT NULL "
            "CONSTRAINT ck_items_tracking_valid CHECK (tracking IN ('none', 'lot', 'serial'))"
        )
    else:
        op.add_column("items", sa.Column("tracking", sa.String(8), nullable=False, server_default="none"))
    op.add_column("items", sa.Column("shelf_life_days", sa.Integer(), nullable=True))
    op.add_column("items", sa.Column("expiry_required", sa.Boolean(), nullable=False, server_default=sa.false()))
    if not sqlite:
        op.create_check_constraint("tracking_valid", "items", "tracking IN ('none', 'lot', 'serial')")
    op.create_table(
        "lots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "code", name="uq_lots_item_code"),
        sa.CheckConstraint("status IN ('available', 'blocked')", name="lot_status_valid"),
    )
    op.create_index("ix_lots_expires_on", "lots", ["expires_on"])
    op.create_table(
        "lot_levels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("lots.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("quantity", sa.Numeric(18, 3), nullable=False),
        sa.UniqueConstraint("lot_id", "location_id", name="uq_lot_levels_lot_location"),
        sa.CheckConstraint("quantity >= 0", name="lot_quantity_non_negative"),
    )
    op.create_index("ix_lot_levels_location_id", "lot_levels", ["location_id"])
    op.create_index("ix_lot_levels_item_location", "lot_levels", ["item_id", "location_id"])
    op.create_table(
        "serials",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("items.id"), nullable=False),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_id", "serial", name="uq_serials_item_serial"),
        sa.CheckConstraint("state IN ('in_stock', 'withdrawn')", name="serial_state_valid"),
    )
    op.create_index("ix_serials_location_id", "serials", ["location_id"])
    # inventory_logs keeps its append-only triggers: on SQLite the column and its foreign key are
    # added in place (a batch "move and copy" would drop the triggers), as 0011 does.
    if sqlite:
        op.execute("ALTER TABLE inventory_logs ADD COLUMN lot_id INTEGER REFERENCES lots (id)")
    else:
        op.add_column("inventory_logs", sa.Column("lot_id", sa.Integer(), sa.ForeignKey("lots.id"), nullable=True))
    op.add_column("inventory_logs", sa.Column("serial", sa.String(64), nullable=True))
    op.create_index("ix_inventory_logs_lot_created", "inventory_logs", ["lot_id", "created_at", "id"])
    op.create_index(
        "ix_inventory_logs_item_serial",
        "inventory_logs",
        ["item_id", "serial"],
        postgresql_where=sa.text("serial IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_inventory_logs_item_serial", table_name="inventory_logs")
    op.drop_index("ix_inventory_logs_lot_created", table_name="inventory_logs")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that carries a foreign key; rebuild the table and put back
        # the append-only guards that the rebuild dropped (as 0011's downgrade does).
        with op.batch_alter_table("inventory_logs", recreate="always") as batch:
            batch.drop_column("serial")
            batch.drop_column("lot_id")
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS inventory_logs_no_{verb.lower()} BEFORE {verb} ON inventory_logs "
                f"BEGIN SELECT RAISE(ABORT, 'inventory_logs is append-only: {verb} refused'); END"
            )
    else:
        op.drop_column("inventory_logs", "serial")
        op.drop_column("inventory_logs", "lot_id")
    op.drop_table("serials")
    op.drop_table("lot_levels")
    op.drop_table("lots")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("tracking_valid", "items", type_="check")
    for column in ("expiry_required", "shelf_life_days", "tracking"):
        op.drop_column("items", column)  # in place (SQLite 3.35+): the lower(sku) index stays
