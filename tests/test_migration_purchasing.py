"""Migration 0011 (purchasing) goes up, down and up again on SQLite and PostgreSQL, and the
ledger stays append-only (its triggers survive)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.database import MIGRATIONS, app_on, blank_database

pytestmark = pytest.mark.core


@pytest.fixture()
def empty_database(tmp_path, database_url):
    with blank_database("inventory_migrate_po", tmp_path, database_url) as url:
        yield url


def test_purchasing_migration_upgrades_downgrades_and_keeps_the_ledger_append_only(tmp_path, empty_database):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    app = app_on(empty_database, tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"suppliers", "supplier_offers", "purchase_orders", "purchase_order_lines"} <= tables
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("inventory_logs")}
        assert {"purchase_order_id", "purchase_order_line_id"} <= columns
        downgrade(directory=MIGRATIONS, revision="0010_issue20_counts")
        inspector = sa.inspect(db.engine)
        assert "purchase_orders" not in inspector.get_table_names()
        assert "on_order" not in {c["name"] for c in inspector.get_columns("items")}
        assert "purchase_order_id" not in {c["name"] for c in inspector.get_columns("inventory_logs")}
        upgrade(directory=MIGRATIONS)
        now = "2026-01-01 00:00:00"
        with db.engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO locations (name, created_at, updated_at) VALUES ('Main', :t, :t)"), {"t": now}
            )
            conn.execute(
                sa.text(
                    "INSERT INTO items (sku, name, location_id, unit, price, low_stock_threshold, quantity, decimals, "
                    "is_deleted, version, created_at, updated_at) VALUES ('S-1', 'Bolt', 1, 'pcs', 1, 2, 7, 0, false, 1, :t, :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO inventory_logs (item_id, action, quantity_before, quantity_after, delta, created_at) "
                    "VALUES (1, 'create', 0, 7, 7, :t)"
                ),
                {"t": now},
            )
            assert conn.execute(sa.text("SELECT on_order FROM items")).scalar_one() == 0
        with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM inventory_logs"))
        db.session.remove()
        db.engine.dispose()
