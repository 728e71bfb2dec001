"""Items: creation with initial stock, references checked, SKU unique, deletion keeps history."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DuplicateValue, NotFound, ValidationFailed
from app.extensions import db
from app.models import InventoryLog, Item, StockLevel
from app.services import barcodes, items, locations

pytestmark = pytest.mark.core


def _data(location_id: int, **extra) -> dict:
    return {"sku": "BOLT-1", "name": "Bolt", "location_id": location_id, "price": Decimal("0.10"), **extra}


def test_create_item_places_initial_stock_at_home_with_a_ledger_row(factory, ctx):
    home = factory.location()
    item = items.create_item(_data(home.id, quantity=12), actor=factory.actor("manager"))
    assert db.session.get(Item, item.id).quantity == 12
    level = db.session.scalar(sa.select(StockLevel).where(StockLevel.item_id == item.id))
    assert (level.location_id, level.quantity) == (home.id, 12)
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id)).where(InventoryLog.item_id == item.id)) == 1


def test_create_item_refused_for_an_archived_home_location(factory, ctx):
    home = factory.location()
    locations.delete_location(home.id)
    with pytest.raises(ValidationFailed) as refused:
        items.create_item(_data(home.id), actor=factory.actor("manager"))
    assert "location_id" in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0


def test_duplicate_sku_is_refused_and_nothing_is_written(factory, ctx):
    home = factory.location()
    manager = factory.actor("manager")
    items.create_item(_data(home.id, quantity=1), actor=manager)
    with pytest.raises(DuplicateValue):
        items.create_item(_data(home.id, quantity=5, name="Another"), actor=manager)
    assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id))) == 1


def test_deleted_item_is_gone_from_reads_but_its_history_stays(factory, ctx):
    item = factory.item(quantity=3)
    items.delete_item(item.id, actor=factory.actor("manager"))
    with pytest.raises(NotFound):
        items.get_item(item.id)
    assert items.item_history(item.id, page=1, per_page=10).total >= 2  # created, deleted


def test_create_items_gives_each_new_item_its_codes_and_refuses_a_code_in_use(factory, ctx):
    home = factory.location()
    manager = factory.actor("manager")
    factory.item(sku="HAS-1", location=home, barcodes=["TAKEN-1"])
    made = items.create_items(
        [_data(home.id, sku="B-1", barcodes=["4006381333931", "X-1"]), _data(home.id, sku="B-2")], actor=manager
    )
    assert [barcodes.codes_of(item.id) for item in made] == [["4006381333931", "X-1"], []]
    with pytest.raises(DuplicateValue) as taken:
        items.create_items([_data(home.id, sku="B-3", barcodes=["TAKEN-1"])], actor=manager)
    assert taken.value.fields == {"barcodes": ["TAKEN-1 is already on HAS-1."]}
    with pytest.raises(DuplicateValue) as shared:
        items.create_items(
            [_data(home.id, sku="B-4", barcodes=["SAME-1"]), _data(home.id, sku="B-5", barcodes=["SAME-1"])],
            actor=manager,
        )
    assert shared.value.fields == {"barcodes": ["SAME-1 is given to two new items."]}
    with pytest.raises(ValidationFailed) as bad:
        items.create_items([_data(home.id, sku="B-6", barcodes=["4006381333932"])], actor=manager)
    assert "check digit should be 1" in bad.value.fields["barcodes"][0]
    assert db.session.scalar(sa.select(sa.func.count(Item.id)).where(Item.sku.in_(["B-3", "B-4", "B-6"]))) == 0
