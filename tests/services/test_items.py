"""Items: creation with initial stock, references checked, SKU unique, deletion keeps history."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import DuplicateValue, NotFound, ValidationFailed
from app.extensions import db
from app.models import InventoryLog, Item, StockLevel, User
from app.services import items, locations

pytestmark = pytest.mark.core


def _manager(factory) -> User:
    return db.session.get(User, factory.user("manager").id)


def _data(location_id: int, **extra) -> dict:
    return {"sku": "BOLT-1", "name": "Bolt", "location_id": location_id, "price": Decimal("0.10"), **extra}


def test_create_item_places_initial_stock_at_home_with_a_ledger_row(factory, ctx):
    home = factory.location()
    item = items.create_item(_data(home.id, quantity=12), actor=_manager(factory))
    assert db.session.get(Item, item.id).quantity == 12
    level = db.session.scalar(sa.select(StockLevel).where(StockLevel.item_id == item.id))
    assert (level.location_id, level.quantity) == (home.id, 12)
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id)).where(InventoryLog.item_id == item.id)) == 1


def test_create_item_refused_for_an_archived_home_location(factory, ctx):
    home = factory.location()
    locations.delete_location(home.id)
    with pytest.raises(ValidationFailed) as refused:
        items.create_item(_data(home.id), actor=_manager(factory))
    assert "location_id" in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 0


def test_duplicate_sku_is_refused_and_nothing_is_written(factory, ctx):
    home = factory.location()
    manager = _manager(factory)
    items.create_item(_data(home.id, quantity=1), actor=manager)
    with pytest.raises(DuplicateValue):
        items.create_item(_data(home.id, quantity=5, name="Another"), actor=manager)
    assert db.session.scalar(sa.select(sa.func.count(Item.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(InventoryLog.id))) == 1


def test_deleted_item_is_gone_from_reads_but_its_history_stays(factory, ctx):
    item = factory.item(quantity=3)
    items.delete_item(item.id, actor=_manager(factory))
    with pytest.raises(NotFound):
        items.get_item(item.id)
    assert items.item_history(item.id, page=1, per_page=10).total >= 2  # created, deleted
