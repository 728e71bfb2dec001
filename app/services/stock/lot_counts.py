"""A count's approval for lot-tracked items (issue 27): each (item, location, lot) line's variance
as an adjust of that lot, in the caller's transaction, all or nothing, the ledger rows carrying the
lot and the count. Locks as batches.py: items (id order), their levels, then each item's lot levels."""

from __future__ import annotations

from decimal import Decimal

from app.errors import InsufficientStock
from app.extensions import db
from app.models import LogAction, Lot, Tracking, User
from app.services.quantities import show
from app.services.stock.batches import lock_items
from app.services.stock.locks import lock_levels
from app.services.stock.lot_levels import HeldLots
from app.services.stock.lots import move_lots
from app.services.stock.write import Movement


def apply_lot_count(
    lines: list[tuple[int, int, int, int, Decimal | int]], *, actor: User, count_id: int, note: str | None = None
) -> list[Movement]:
    """Each line is (line_id, item_id, location_id, lot_id, delta). Raises InsufficientStock naming
    every line whose lot level would go below zero (`extra["negative"]`); nothing changes then."""
    if not lines:
        return []
    items = lock_items((line[1] for line in lines), allowed=(Tracking.LOT,))
    ordered = sorted(lines, key=lambda line: (line[1], line[2], line[3]))
    levels = lock_levels(items, [(item_id, loc) for _id, item_id, loc, _lot, _d in ordered])
    held = {item_id: HeldLots.lock(items[item_id]) for item_id in sorted(items)}
    shares = []
    negative = []
    for line_id, item_id, loc, lot_id, delta in ordered:
        level = levels[(item_id, loc)]
        lot_level = held[item_id].of(db.session.get(Lot, lot_id), loc, level.location_name)
        if lot_level.quantity + delta < 0:
            negative.append(
                {
                    "line_id": line_id,
                    "item_id": item_id,
                    "sku": items[item_id].sku,
                    "location_id": loc,
                    "location_name": level.location_name,
                    "lot": lot_level.code,
                    "quantity": lot_level.quantity,
                    "delta": delta,
                }
            )
        shares.append((item_id, lot_level, delta, level))
    if negative:
        named = "; ".join(
            f"line {n['line_id']} ({n['sku']} lot {n['lot']} at {n['location_name']}: {show(n['quantity'])} now, "
            f"adjustment {show(n['delta'])})"
            for n in negative
        )
        raise InsufficientStock(
            f"Approving would leave a negative lot level (stock left since counting): {named}. Nothing was "
            "changed; send those lines for a recount.",
            negative=negative,
        )
    return [
        move_lots(
            items[item_id],
            held[item_id],
            [(lot_level, delta, level, None)],
            LogAction.ADJUST,
            actor,
            note,
            count_id=count_id,
        )
        for item_id, lot_level, delta, level in shares
    ]
