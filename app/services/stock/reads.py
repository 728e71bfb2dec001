"""Reads of stock levels: an item's quantity per location, one level's quantity. Nothing here writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Item, Location, Lot, LotLevel, StockLevel, Tracking
from app.services.lookup import not_found

_STOCK_BY_LOCATION = (
    sa.select(StockLevel.location_id, Location.path, StockLevel.quantity)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"))
    .order_by(Location.path)
)
_ITEM_WITH_STOCK = (
    sa.select(Item, StockLevel.location_id, Location.path, StockLevel.quantity)
    .outerjoin(StockLevel, StockLevel.item_id == Item.id)
    .outerjoin(Location, Location.id == StockLevel.location_id)
    .where(Item.id == sa.bindparam("item_id"), Item.is_deleted.is_(False))
    .order_by(Location.path)
)


def stock_entry(location_id: int, path: str, quantity: Any) -> dict[str, Any]:
    """One location's line of an item's stock (stock_by_location and the answers built like it)."""
    return {"location_id": location_id, "location_name": path, "quantity": quantity}


def stock_by_location(item_id: int) -> list[dict[str, Any]]:
    """An item's quantity per location, by location path."""
    rows = db.session.execute(_STOCK_BY_LOCATION, {"item_id": item_id}).all()
    return [stock_entry(loc_id, name, qty) for loc_id, name, qty in rows]


# A lot-tracked item's stock: one entry per (location, lot) holding some, by path then FEFO.
_LOT_STOCK = (
    sa.select(LotLevel.location_id, Location.path, LotLevel.quantity, Lot.id, Lot.code, Lot.expires_on)
    .join(Location, Location.id == LotLevel.location_id)
    .join(Lot, Lot.id == LotLevel.lot_id)
    .where(LotLevel.item_id == sa.bindparam("item_id"), LotLevel.quantity > 0)
    .order_by(Location.path, Lot.expires_on.is_(None), Lot.expires_on, Lot.created_at, Lot.id)
)


def lot_stock(item_id: int) -> list[dict[str, Any]]:
    """A lot item's stock per (location, lot): stock_entry's fields and lot_id, lot, expires_on."""
    return [
        {**stock_entry(loc_id, path, qty), "lot_id": lot_id, "lot": code, "expires_on": expires}
        for loc_id, path, qty, lot_id, code, expires in db.session.execute(_LOT_STOCK, {"item_id": item_id})
    ]


def stock_of(item: Item) -> list[dict[str, Any]]:
    """An item's stock list: per location, or per (location, lot) for a lot-tracked item."""
    return lot_stock(item.id) if item.tracking == Tracking.LOT else stock_by_location(item.id)


def item_with_stock(item_id: int) -> tuple[Item, list[dict[str, Any]]]:
    """An active item and its quantity per location (as stock_by_location), read by one statement.
    Raises NotFound."""
    rows = db.session.execute(_ITEM_WITH_STOCK, {"item_id": item_id}).all()
    if not rows:
        raise not_found("Item", item_id)
    item = rows[0][0]
    if item.tracking == Tracking.LOT:
        return item, lot_stock(item.id)
    stock = [stock_entry(loc_id, name, qty) for _item, loc_id, name, qty in rows if loc_id is not None]
    return item, stock


def level_quantity(item_id: int, location_id: int) -> Decimal | int:
    """What the system holds of an item at a location right now (0 without a level row); reads only."""
    found = db.session.scalar(
        sa.select(StockLevel.quantity).where(StockLevel.item_id == item_id, StockLevel.location_id == location_id)
    )
    return found if found is not None else 0
