"""The single-item verbs: restock, withdraw, transfer, adjust. Each is one transaction: lock the
item and all its levels (one statement), check, write through apply_movement, commit once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import app.services.stock.tracked as tracked
from app.errors import InsufficientStock, ValidationFailed
from app.limits import SAME_PLACE_MESSAGE
from app.models import Item, LogAction, StockLevel, Tracking, User
from app.services.quantities import check_places, show
from app.services.stock.locks import ItemLevels, lock_item
from app.services.stock.reads import stock_of
from app.services.stock.tracked import Trace
from app.services.stock.write import Movement, apply_movement
from app.services.uow import unit_of_work


def restock(
    item_id: int,
    quantity: Any = None,
    *,
    actor: User,
    location_id: int | None = None,
    note: str | None = None,
    **trace: Any,
) -> Movement:
    """Add units at a location (the item's home by default); `trace`: lot and expires_on, or serials
    (issue 27). Raises NotFound, ValidationFailed, LotExpiryMismatch, SerialInStock."""
    traced = Trace(**trace)

    def work(item: Item, held: ItemLevels) -> Movement:
        if item.tracking != Tracking.NONE or traced.given:
            moved = tracked.quantity_of(item, quantity, traced)
            check_places(item, moved)
            return tracked.restock(item, held, location_id or item.location_id, moved, actor, note, traced)
        check_places(item, quantity)
        level = held.get(location_id or item.location_id)
        return apply_movement(item, {level.location_id: (level, quantity)}, LogAction.RESTOCK, actor, note)

    return _run(item_id, work)


def withdraw(
    item_id: int,
    quantity: Any = None,
    *,
    actor: User,
    location_id: int | None = None,
    note: str | None = None,
    **trace: Any,
) -> Movement:
    """Take units from a location (home by default); a lot item's come from the named lot or by FEFO,
    a serial item's are named. Raises InsufficientStock, OnlyExpiredStock, LotBlocked, SerialNotHere, NotFound."""
    traced = Trace(**trace)

    def work(item: Item, held: ItemLevels) -> Movement:
        if item.tracking != Tracking.NONE or traced.given:
            moved = tracked.quantity_of(item, quantity, traced)
            check_places(item, moved)
            place = location_id or item.location_id
            return tracked.take(item, held, place, None, moved, actor, note, traced, LogAction.WITHDRAW)
        check_places(item, quantity)
        level = held.get(location_id or item.location_id)
        ensure_available(item, level, quantity)
        return apply_movement(item, {level.location_id: (level, -quantity)}, LogAction.WITHDRAW, actor, note)

    return _run(item_id, work)


def transfer(
    item_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: Any = None,
    *,
    actor: User,
    note: str | None = None,
    **trace: Any,
) -> Movement:
    """Move units between two locations (a lot item's by lot or FEFO, a serial item's named).
    Raises InsufficientStock, OnlyExpiredStock, LotBlocked, SerialNotHere, NotFound, ValidationFailed."""
    check_different_places(from_location_id, to_location_id)
    traced = Trace(**trace)

    def work(item: Item, held: ItemLevels) -> Movement:
        if item.tracking != Tracking.NONE or traced.given:
            moved = tracked.quantity_of(item, quantity, traced)
            check_places(item, moved)
            return tracked.take(
                item, held, from_location_id, to_location_id, moved, actor, note, traced, LogAction.TRANSFER
            )
        check_places(item, quantity)
        fields = {from_location_id: "from_location_id", to_location_id: "to_location_id"}
        levels = {loc: held.get(loc, fields[loc]) for loc in sorted((from_location_id, to_location_id))}
        ensure_available(item, levels[from_location_id], quantity)
        changes = {
            from_location_id: (levels[from_location_id], -quantity),
            to_location_id: (levels[to_location_id], quantity),
        }
        return apply_movement(item, changes, LogAction.TRANSFER, actor, note)

    return _run(item_id, work)


def adjust(
    item_id: int, location_id: int, counted_quantity: Any, *, actor: User, note: str | None = None, **trace: Any
) -> Movement:
    """Set a location's level (a lot item: one lot's; a serial item: the units found) to a counted
    quantity (a stock-take). Raises NotFound, ValidationFailed."""
    traced = Trace(**trace)

    def work(item: Item, held: ItemLevels) -> Movement:
        check_places(item, counted_quantity, "counted_quantity")
        if item.tracking != Tracking.NONE or traced.given:
            tracked.check_count(item, counted_quantity, traced)
            return tracked.adjust(item, held, location_id, counted_quantity, actor, note, traced)
        level = held.get(location_id)
        changes = {location_id: (level, counted_quantity - level.quantity)}
        return apply_movement(item, changes, LogAction.ADJUST, actor, note)

    return _run(item_id, work)


def check_different_places(from_location_id: int | None, to_location_id: int | None) -> None:
    """A move goes somewhere else. Raises ValidationFailed naming to_location_id."""
    if from_location_id == to_location_id:
        raise ValidationFailed(
            "Stock cannot be moved to the place it comes from.", fields={"to_location_id": [SAME_PLACE_MESSAGE]}
        )


def ensure_available(item: Item, level: StockLevel, quantity: Any) -> None:
    """Raises InsufficientStock when the level holds less than `quantity`."""
    if level.quantity < quantity:
        raise InsufficientStock(
            f"Only {show(level.quantity)} {item.unit} of {item.sku} available at this location; {show(quantity)} requested.",
            available=level.quantity,
            requested=quantity,
            location_id=level.location_id,
        )


def _run(item_id: int, work: Callable[[Item, ItemLevels], Movement]) -> Movement:
    # keep_loaded: the answer is built from what this transaction wrote, without reloading it.
    with unit_of_work(keep_loaded=True):
        item = lock_item(item_id)
        held = ItemLevels.lock(item)
        movement = work(item, held)
        if item.tracking == Tracking.NONE:
            movement.stock = held.stock() or stock_of(item)
        elif item.tracking != Tracking.LOT:  # a lot item's answer is built from its locked lot levels
            movement.stock = stock_of(item)
        return movement
