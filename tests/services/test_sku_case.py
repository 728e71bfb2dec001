"""SKUs are unique regardless of letter case among active items: service, database index and migration."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import DuplicateValue
from app.extensions import db
from app.models import Item
from app.services import items

pytestmark = pytest.mark.core

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_create_refuses_a_sku_that_differs_only_in_case(factory, ctx):
    existing = factory.item(sku="Bolt-M8")
    with pytest.raises(DuplicateValue) as err:
        items.create_item(
            {"sku": "BOLT-m8", "name": "Other", "location_id": existing.location_id},
            actor=factory.actor("manager"),
        )
    assert err.value.fields == {"sku": ["Another item already uses this SKU (letter case does not matter)."]}
    assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1


def test_renaming_to_another_items_sku_in_other_case_is_refused_but_recasing_ones_own_is_fine(factory, ctx):
    factory.item(sku="nut-1")
    mine = factory.item(sku="washer-1")
    manager = factory.actor("manager")
    with pytest.raises(DuplicateValue):
        items.update_item(mine.id, {"sku": "NUT-1"}, actor=manager, expected_version=1, partial=True)
    renamed = items.update_item(mine.id, {"sku": "WASHER-1"}, actor=manager, expected_version=1, partial=True)
    assert renamed.sku == "WASHER-1"


def test_a_deleted_items_sku_may_be_reused_in_any_case(factory, ctx):
    old = factory.item(sku="lamp-1")
    manager = factory.actor("manager")
    items.delete_item(old.id, actor=manager)
    again = items.create_item({"sku": "LAMP-1", "name": "New lamp", "location_id": old.location_id}, actor=manager)
    assert again.sku == "LAMP-1"


def test_the_database_itself_refuses_a_case_clash(factory, ctx):
    existing = factory.item(sku="Tape-5")
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Item).values(
                sku="TAPE-5", name="Sneaky", location_id=existing.location_id, unit="pcs", quantity=0, version=1
            )
        )
        db.session.flush()
    db.session.rollback()


def test_letter_case_of_every_script_counts_as_the_same_sku(factory, ctx):
    """Cyrillic too, on SQLite as on PostgreSQL: the service, the index and a typed or scanned code."""
    from app.services.choices import item_by_code

    existing = factory.item(sku="ГВ-10")
    with pytest.raises(DuplicateValue):
        items.create_item(
            {"sku": "гв-10", "name": "Other", "location_id": existing.location_id}, actor=factory.actor("manager")
        )
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Item).values(
                sku="гВ-10", name="Sneaky", location_id=existing.location_id, unit="pcs", quantity=0, version=1
            )
        )
        db.session.flush()
    db.session.rollback()
    assert item_by_code("гв-10").id == existing.id


def _sqlite_app(path: Path):
    from app import create_app
    from app.config import TestingConfig

    settings = TestingConfig()
    settings.SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
    return create_app(settings)


def _insert_items(app, skus, *, location=True):
    with app.app_context():
        if location:
            db.session.execute(sa.text("INSERT INTO locations (name, created_at, updated_at) VALUES ('Main', 0, 0)"))
        for sku in skus:
            db.session.execute(
                sa.text(
                    "INSERT INTO items (sku, name, location_id, unit, price, low_stock_threshold, quantity, is_deleted, "
                    "version, created_at, updated_at) VALUES (:sku, :sku, 1, 'pcs', 0, 0, 0, 0, 1, 0, 0)"
                ),
                {"sku": sku},
            )
        db.session.commit()


def _indexes(app):
    with app.app_context():
        return {row[0] for row in db.session.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'"))}


def test_migration_reports_existing_clashes_instead_of_failing(tmp_path, capsys):
    from flask_migrate import upgrade

    app = _sqlite_app(tmp_path / "clash.db")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0005_issue12_outbox_attempts")
    _insert_items(app, ["abc-1", "ABC-1", "Abc-1", "other"])
    with app.app_context():
        upgrade(directory=MIGRATIONS)  # finishes: a deploy does not stop on old data
    out = capsys.readouterr().out
    assert "SKUs that differ only in letter case: 1 clash(es)" in out
    assert "'abc-1': items 1, 2, 3" in out
    assert "uq_items_sku_ci_active" not in _indexes(app) and "uq_items_sku_active" in _indexes(app)


def test_migration_without_clashes_makes_skus_case_insensitive_and_downgrades(tmp_path):
    from flask_migrate import downgrade, upgrade

    app = _sqlite_app(tmp_path / "clean.db")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0005_issue12_outbox_attempts")
    _insert_items(app, ["abc-1", "def-2"])
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    assert "uq_items_sku_ci_active" in _indexes(app) and "uq_items_sku_active" not in _indexes(app)
    with pytest.raises(IntegrityError), app.app_context():
        _insert_items(app, ["ABC-1"], location=False)
    with app.app_context():
        db.session.rollback()
        downgrade(directory=MIGRATIONS, revision="0009_issue15_barcodes")
    assert "uq_items_sku_ci_active" not in _indexes(app) and "uq_items_sku_active" in _indexes(app)
