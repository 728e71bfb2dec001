"""alerts: resolved when stock returns to its threshold, and by whom or what

Revision ID: 0007_issue16_alert_resolution
Revises: 0006_issue16_sku_ci

resolved_at, resolved_by_id (a user, when a person's movement or edit resolved it),
resolved_reason (plain words: "Stock returned to 12 pcs, at or above the threshold
of 10"), resolved_by_log_id (the ledger row that did it). Open alerts already above
their threshold are resolved by this migration, with that reason, and low items
without an open alert get one, so each low item has exactly one open alert.
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0007_issue16_alert_resolution"
down_revision = "0006_issue16_sku_ci"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite's batch mode reflects items too, and cannot reflect its lower(sku) index (0006); harmless.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        _add_columns()
    _backfill()


def _add_columns():
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("resolved_by_log_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("resolved_reason", sa.Text(), nullable=True))
        batch.create_foreign_key(op.f("fk_alerts_resolved_by_id_users"), "users", ["resolved_by_id"], ["id"])
        batch.create_foreign_key(
            op.f("fk_alerts_resolved_by_log_id_inventory_logs"), "inventory_logs", ["resolved_by_log_id"], ["id"]
        )
        batch.create_index(op.f("ix_alerts_resolved_at"), ["resolved_at"], unique=False)


def _backfill():
    op.execute(
        "UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP, "
        "resolved_reason = 'Stock was already at or above the threshold when alerts began to resolve themselves' "
        "WHERE resolved_at IS NULL AND EXISTS (SELECT 1 FROM items WHERE items.id = alerts.item_id "
        "AND (items.quantity >= items.low_stock_threshold OR items.is_deleted))"
    )

    # One open alert per low item from now on: items already low without an open alert get one.
    op.execute(
        "INSERT INTO alerts (item_id, location_id, message, quantity, threshold, created_at) "
        "SELECT i.id, i.location_id, i.name || ' (' || i.sku || ') is low: ' || CAST(i.quantity AS TEXT) || ' ' "
        "|| i.unit || ' left, threshold ' || CAST(i.low_stock_threshold AS TEXT) || '.', "
        "i.quantity, i.low_stock_threshold, CURRENT_TIMESTAMP FROM items i "
        "WHERE NOT i.is_deleted AND i.quantity < i.low_stock_threshold AND NOT EXISTS "
        "(SELECT 1 FROM alerts a WHERE a.item_id = i.id AND a.resolved_at IS NULL)"
    )


def downgrade():
    with warnings.catch_warnings(), op.batch_alter_table("alerts") as batch:
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        batch.drop_index(op.f("ix_alerts_resolved_at"))
        batch.drop_constraint(op.f("fk_alerts_resolved_by_log_id_inventory_logs"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_alerts_resolved_by_id_users"), type_="foreignkey")
        batch.drop_column("resolved_reason")
        batch.drop_column("resolved_by_log_id")
        batch.drop_column("resolved_by_id")
        batch.drop_column("resolved_at")
