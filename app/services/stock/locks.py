"""Row locks of the stock core, always in one order: an item's row first (items in id order), then
its levels (in location order); a missing level is created under the item's lock.

Every writer of stock takes these locks before it reads a quantity it will change, so two
movements of one item are serialised by the item's row and two batches never wait on each
other in opposite orders (no deadlock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Item, Location, StockLevel
from app.services.locations import check_holds_stock, require_live_location
from app.services.lookup import not_found
from app.services.stock.reads import stock_entry
from app.services.uow import locked, take_write_lock

# The hot statements, built once: constructing a SELECT costs more than running it on a warm
# connection. Values go in as bound parameters.
_LOCK_ITEM = locked(sa.select(Item).where(Item.id == sa.bindparam("item_id"), Item.is_deleted.is_(False)))
_LOCK_LEVEL = locked(
    sa.select(StockLevel, Location.path, Location.path_key, Location.is_structural)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"), StockLevel.location_id == sa.bindparam("location_id")),
    of=StockLevel,
)


def lock_item(item_id: int) -> Item:
    """Lock an active item's row for the rest of the transaction. Raises NotFound."""
    take_write_lock(Item.__table__, item_id)
    item = db.session.execute(_LOCK_ITEM, {"item_id": item_id}).scalar_one_or_none()
    if item is None:
        raise not_found("Item", item_id)
    return item


def lock_level(item: Item, location_id: int, field_name: str = "location_id") -> StockLevel:
    """Lock (or create) the item's level at a location; `level.location_name` (its path) is set for
    events, `level.location_key` (its path key) for the location figures (app/services/location_counters.py).

    Raises ValidationFailed naming `field_name` for an unknown or a structural location.
    """
    found = db.session.execute(_LOCK_LEVEL, {"item_id": item.id, "location_id": location_id}).one_or_none()
    if found is not None:
        level, path, key, structural = found
        if structural:
            check_holds_stock(db.session.get(Location, location_id), field_name)
        level.location_name, level.location_key = path, key
        return level
    location = require_live_location(location_id, field_name, holds_stock=True)
    # Safe without a race: the item row lock serialises every movement of this item.
    level = StockLevel(item_id=item.id, location_id=location_id, quantity=0)
    db.session.add(level)
    db.session.flush()
    level.location_name, level.location_key = location.path, location.path_key
    return level


_LOCK_LEVELS = locked(
    sa.select(StockLevel, Location.path, Location.path_key, Location.is_structural)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"))
    .order_by(Location.path),
    of=StockLevel,
)


@dataclass
class ItemLevels:
    """Every level of one locked item, locked by one statement, by location path.

    A single movement of an item locks all of its levels at once (a handful of rows, and the
    item's row lock already serialises their changes) so that the answer's stock per location
    needs no second read.
    """

    item: Item
    levels: dict[int, StockLevel]
    in_path_order: bool = True

    @classmethod
    def lock(cls, item: Item) -> ItemLevels:
        levels = {}
        for level, path, key, structural in db.session.execute(_LOCK_LEVELS, {"item_id": item.id}):
            level.location_name, level.location_key, level.is_structural_place = path, key, structural
            levels[level.location_id] = level
        return cls(item, levels)

    def get(self, location_id: int, field_name: str = "location_id") -> StockLevel:
        """The level at a location, created when the item has none there (see lock_level)."""
        level = self.levels.get(location_id)
        if level is None:
            level = self.levels[location_id] = lock_level(self.item, location_id, field_name)
            self.in_path_order = False
        elif level.is_structural_place:
            check_holds_stock(db.session.get(Location, location_id), field_name)
        return level

    def stock(self) -> list[dict[str, Any]]:
        """The item's stock per location as these locked levels hold it now, or [] when a level was
        created (it is not in path order: the caller reads the stock again)."""
        if not self.in_path_order:
            return []
        return [stock_entry(loc, lv.location_name, lv.quantity) for loc, lv in self.levels.items()]


def lock_items(item_ids: Iterable[int]) -> dict[int, Item]:
    """Lock several active items' rows, in id order. Raises NotFound."""
    return {item_id: lock_item(item_id) for item_id in sorted(set(item_ids))}


def lock_levels(items: dict[int, Item], places: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int], StockLevel]:
    """Lock (or create) the levels of locked items at places ((item id, location id or None for the
    item's home) each), in (item, location) order; by (item id, location id). Raises ValidationFailed."""
    wanted = {(item_id, loc if loc is not None else items[item_id].location_id) for item_id, loc in places}
    return {(item_id, loc): lock_level(items[item_id], loc) for item_id, loc in sorted(wanted)}
