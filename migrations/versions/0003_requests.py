"""carts and stock requests

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TIMESTAMPS = (
    ("created_at", sa.DateTime(timezone=True)),
    ("updated_at", sa.DateTime(timezone=True)),
)


def _timestamps():
    return [sa.Column(name, type_, nullable=False) for name, type_ in _TIMESTAMPS]


def upgrade():
    op.create_table(
        "carts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_carts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_carts_user_id")),
    )
    op.create_table(
        "cart_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["cart_id"], ["carts.id"], name=op.f("fk_cart_lines_cart_id_carts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_cart_lines_item_id_items")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_cart_lines_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_lines")),
        sa.UniqueConstraint("cart_id", "item_id", "location_id", name="uq_cart_lines_cart_item_location"),
    )
    op.create_index(op.f("ix_cart_lines_cart_id"), "cart_lines", ["cart_id"], unique=False)
    op.create_index(op.f("ix_cart_lines_item_id"), "cart_lines", ["item_id"], unique=False)

    op.create_table(
        "stock_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("destination_location_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("kind IN ('pick', 'transfer')", name=op.f("ck_stock_requests_kind_valid")),
        sa.CheckConstraint(
            "state IN ('submitted', 'approved', 'rejected', 'cancelled', 'fulfilled')",
            name=op.f("ck_stock_requests_state_valid"),
        ),
        sa.CheckConstraint(
            "kind = 'pick' OR destination_location_id IS NOT NULL",
            name=op.f("ck_stock_requests_transfer_has_destination"),
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_stock_requests_author_id_users")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_stock_requests_decided_by_id_users")),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_stock_requests_destination_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_requests")),
    )
    op.create_index(op.f("ix_stock_requests_author_id"), "stock_requests", ["author_id"], unique=False)
    op.create_index("ix_stock_requests_state_created", "stock_requests", ["state", "created_at"], unique=False)

    op.create_table(
        "stock_request_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_request_lines_quantity_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_stock_request_lines_item_id_items")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_stock_request_lines_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["stock_requests.id"], name=op.f("fk_stock_request_lines_request_id_stock_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_request_lines")),
    )
    op.create_index(op.f("ix_stock_request_lines_item_id"), "stock_request_lines", ["item_id"], unique=False)
    op.create_index(op.f("ix_stock_request_lines_request_id"), "stock_request_lines", ["request_id"], unique=False)

    op.create_table(
        "stock_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["stock_requests.id"], name=op.f("fk_stock_request_events_request_id_stock_requests")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_stock_request_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_request_events")),
    )
    op.create_index(op.f("ix_stock_request_events_request_id"), "stock_request_events", ["request_id"], unique=False)

    # inventory_logs keeps its append-only triggers: a batch "move and copy" on SQLite
    # would drop them, so the column (with its foreign key) is added in place on both.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE inventory_logs ADD COLUMN stock_request_id INTEGER REFERENCES stock_requests (id)")
    else:
        op.add_column("inventory_logs", sa.Column("stock_request_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_inventory_logs_stock_request_id_stock_requests"),
            "inventory_logs",
            "stock_requests",
            ["stock_request_id"],
            ["id"],
        )
    op.create_index(op.f("ix_inventory_logs_stock_request_id"), "inventory_logs", ["stock_request_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_inventory_logs_stock_request_id"), table_name="inventory_logs")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that carries a foreign key; rebuild the table and
        # put back the append-only guards that the rebuild dropped.
        with op.batch_alter_table("inventory_logs", recreate="always") as batch_op:
            batch_op.drop_column("stock_request_id")
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS inventory_logs_no_{verb.lower()} BEFORE {verb} ON inventory_logs "
                f"BEGIN SELECT RAISE(ABORT, 'inventory_logs is append-only: {verb} refused'); END"
            )
    else:
        op.drop_constraint(
            op.f("fk_inventory_logs_stock_request_id_stock_requests"), "inventory_logs", type_="foreignkey"
        )
        op.drop_column("inventory_logs", "stock_request_id")
    op.drop_table("stock_request_events")
    op.drop_table("stock_request_lines")
    op.drop_table("stock_requests")
    op.drop_table("cart_lines")
    op.drop_table("carts")
