"""The verbs' work for tracked items (issue 27): which lot or units a movement names, checked against
the item's `tracking`, then written by stock/lots.py or stock/serials.py. Untracked items never come
here unless a movement names a lot or serials, which they refuse (422)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import app.services.stock.lots as lots
import app.services.stock.serials as serials
from app.errors import PermissionDenied, ValidationFailed
from app.models import Item, LogAction, Tracking, User
from app.permissions import Permission, can
from app.services.stock.locks import ItemLevels
from app.services.stock.lot_levels import HeldLots
from app.services.stock.write import Movement


@dataclass(frozen=True)
class Trace:
    """What a movement says about lots and units."""

    lot: str | None = None
    expires_on: date | None = None
    serials: list[str] | None = None
    allow_expired: bool = False

    @property
    def given(self) -> bool:
        return self.lot is not None or self.serials is not None or self.expires_on is not None


def quantity_of(item: Item, quantity: Any, trace: Trace) -> Any:
    """The movement's quantity: for a serial item, the units' count (checked against `quantity`).
    Raises ValidationFailed (a lot or serials that do not fit the item's tracking; no quantity)."""
    if item.tracking == Tracking.NONE:
        named = [n for n in ("lot", "serials", "expires_on") if getattr(trace, n) is not None]
        raise ValidationFailed(
            f"{item.sku} is not tracked by lot or serial.",
            fields={name: ["This item is not tracked by lot or serial."] for name in named},
        )
    if item.tracking == Tracking.LOT and trace.serials is not None:
        raise ValidationFailed(f"{item.sku} is tracked by lot, not serial.", fields={"serials": ["Not a serial item."]})
    if item.tracking == Tracking.SERIAL:
        if trace.lot is not None or trace.expires_on is not None:
            raise ValidationFailed(f"{item.sku} is tracked by serial, not lot.", fields={"lot": ["Not a lot item."]})
        return len(serials.check_units(item, trace.serials, quantity))
    if quantity is None:
        raise ValidationFailed("Give the quantity.", fields={"quantity": ["Missing data for required field."]})
    return quantity


def _check_allow_expired(actor: User, trace: Trace) -> None:
    if trace.allow_expired and not can(actor, Permission.STOCK_ADJUST):
        raise PermissionDenied("Only managers may take expired stock.", fields={"allow_expired": ["Managers only."]})


def restock(
    item: Item,
    held: ItemLevels,
    location_id: int,
    quantity: Any,
    actor: User,
    note: str | None,
    trace: Trace,
    **refs: Any,
) -> Movement:
    """A receipt of a tracked item: into its lot (created on first sight) or as its named units.
    Raises ValidationFailed, LotExpiryMismatch, SerialInStock."""
    level = held.get(location_id)
    if item.tracking == Tracking.SERIAL:
        return serials.move_units(item, trace.serials, LogAction.RESTOCK, actor, note, None, level, **refs)
    held_lots = HeldLots.lock(item)
    lot = lots.receive_lot(item, trace.lot, trace.expires_on)
    lot_level = held_lots.of(lot, location_id, level.location_name)
    return lots.move_lots(item, held_lots, [(lot_level, quantity, level, None)], LogAction.RESTOCK, actor, note, **refs)


def take(
    item: Item,
    held: ItemLevels,
    from_location_id: int,
    to_location_id: int | None,
    quantity: Any,
    actor: User,
    note: str | None,
    trace: Trace,
    action: str,
    **refs: Any,
) -> Movement:
    """A withdrawal (no destination) or a transfer of a tracked item. Raises what lots.pick and
    serials.move_units raise, PermissionDenied (allow_expired by staff)."""
    _check_allow_expired(actor, trace)
    fields = {from_location_id: "from_location_id", to_location_id: "to_location_id"}
    places = sorted(loc for loc in (from_location_id, to_location_id) if loc is not None)
    levels = {loc: held.get(loc, fields[loc] if to_location_id is not None else "location_id") for loc in places}
    source, destination = levels[from_location_id], levels.get(to_location_id)
    if item.tracking == Tracking.SERIAL:
        return serials.move_units(item, trace.serials, action, actor, note, source, destination, **refs)
    if trace.expires_on is not None:
        raise ValidationFailed("An expiry date is given when receiving.", fields={"expires_on": ["Only on receipt."]})
    held_lots = HeldLots.lock(item)
    picks = lots.pick(item, held_lots, from_location_id, quantity, code=trace.lot, allow_expired=trace.allow_expired)
    shares = [
        (
            lot_level,
            -taken,
            source,
            (held_lots.of(lot_level, to_location_id, destination.location_name), destination)
            if destination is not None
            else None,
        )
        for lot_level, taken in picks
    ]
    return lots.move_lots(item, held_lots, shares, action, actor, note, **refs)


def adjust(
    item: Item, held: ItemLevels, location_id: int, counted: Any, actor: User, note: str | None, trace: Trace
) -> Movement:
    """A stock-take of one lot (created when new: stock found) or of the units found at a place."""
    level = held.get(location_id)
    if item.tracking == Tracking.SERIAL:
        return serials.adjust_units(
            item, level, serials.check_units(item, trace.serials, None) if trace.serials else [], actor, note
        )
    held_lots = HeldLots.lock(item)
    lot = lots.receive_lot(item, trace.lot, trace.expires_on)
    lot_level = held_lots.of(lot, location_id, level.location_name)
    delta = counted - lot_level.quantity
    return lots.move_lots(item, held_lots, [(lot_level, delta, level, None)], LogAction.ADJUST, actor, note)


def check_count(item: Item, counted: Any, trace: Trace) -> None:
    """A stock-take's lot or units fit the item. Raises ValidationFailed."""
    if item.tracking != Tracking.SERIAL:
        quantity_of(item, counted, trace)
        return
    if trace.lot is not None:
        raise ValidationFailed(f"{item.sku} is tracked by serial, not lot.", fields={"lot": ["Not a lot item."]})
    found = serials.check_units(item, trace.serials, None) if trace.serials else []
    if counted != len(found):
        raise ValidationFailed(
            f"{len(found)} serial(s) found, not {counted}.",
            fields={"counted_quantity": [f"Send {len(found)}: one per serial found."]},
        )
