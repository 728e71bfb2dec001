"""Migration 0005: flat locations become roots and whole quantities keep their meaning,
on SQLite and on PostgreSQL; the tree rules hold on migrated data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.database import MIGRATIONS, app_on, blank_database

pytestmark = pytest.mark.core


@pytest.fixture()
def old_database(tmp_path, database_url):
    """An empty database of the backend under test (PostgreSQL: a throwaway one)."""
    with blank_database("inventory_migrate", tmp_path, database_url) as url:
        yield url


def test_flat_locations_become_roots_and_quantities_keep_their_meaning(tmp_path, old_database):
    from flask_migrate import upgrade

    from app.extensions import db

    old = app_on(old_database, tmp_path)
    now = "2026-01-01 00:00:00"
    with old.app_context():
        upgrade(directory=MIGRATIONS, revision="0004")
        with db.engine.begin() as conn:
            for name in ("Main", "Annex"):
                conn.execute(
                    sa.text("INSERT INTO locations (name, created_at, updated_at) VALUES (:n, :t, :t)"),
                    {"n": name, "t": now},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO items (sku, name, location_id, unit, price, low_stock_threshold, quantity, "
                    "is_deleted, version, created_at, updated_at) "
                    "VALUES ('S-1', 'Bolt', 1, 'pcs', 1, 2, 7, false, 1, :t, :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text("INSERT INTO stock_levels (item_id, location_id, quantity, updated_at) VALUES (1, 1, 7, :t)"),
                {"t": now},
            )
        upgrade(directory=MIGRATIONS)
        from app.models import Item, Location, StockLevel
        from app.services import locations

        rows = db.session.execute(sa.select(Location).order_by(Location.id)).scalars().all()
        assert [(r.name, r.parent_id, r.path, r.path_key, r.depth, r.is_structural) for r in rows] == [
            ("Main", None, "Main", "/1/", 0, False),
            ("Annex", None, "Annex", "/2/", 0, False),
        ]
        item = db.session.get(Item, 1)
        assert (item.quantity, item.decimals, item.low_stock_threshold) == (7, 0, 2)
        assert db.session.execute(sa.select(StockLevel.quantity)).scalar_one() == 7
        # The tree works on migrated rows: nest Annex under Main; the subtree totals follow.
        locations.update_location(1, {"is_structural": False})
        moved = locations.update_location(2, {"parent_id": 1})
        assert (moved.path, moved.depth) == ("Main / Annex", 1)
        assert locations.subtree_totals(db.session.get(Location, 1)).units == 7
        db.session.remove()
        db.engine.dispose()
