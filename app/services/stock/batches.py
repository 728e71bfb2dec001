"""Movements of several lines in the caller's transaction, all or nothing: a request's approval, a
purchase order's receipt, a scan batch, a count's approval. Each locks its items (id order) and
then their levels ((item, location) order) through locks.lock_items/lock_levels before it reads a
quantity, so two batches, or a batch and a single movement, never deadlock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import app.services.stock.tracked as tracked
from app.errors import InsufficientStock, ValidationFailed
from app.models import Item, LogAction, Tracking, User
from app.services.quantities import check_places, show
from app.services.stock.locks import ItemLevels, lock_levels
from app.services.stock.locks import lock_items as _lock_all
from app.services.stock.tracked import Trace
from app.services.stock.verbs import check_different_places
from app.services.stock.write import Movement, apply_movement


def lock_items(item_ids, allowed: tuple[str, ...] = (Tracking.NONE,)) -> dict[int, Item]:
    """Lock the batch's items (locks.lock_items). Raises ValidationFailed for an item whose tracking
    is not `allowed`: a batch line does not name lots or units yet (issue 27); move those one by one."""
    items = _lock_all(item_ids)
    tracked = [item for item in items.values() if item.tracking not in allowed]
    if tracked:
        raise ValidationFailed(
            f"{tracked[0].sku} is tracked by {tracked[0].tracking}: move it on its own, naming the "
            f"{'lot' if tracked[0].tracking == Tracking.LOT else 'serials'}. Nothing was moved.",
            fields={"item_id": [f"{tracked[0].sku} is tracked by {tracked[0].tracking}."]},
            item_id=tracked[0].id,
        )
    return items


def apply_lines(
    lines: list[tuple[int, int, int | None, Any]],
    action: str,
    *,
    actor: User,
    note: str | None = None,
    stock_request_id: int | None = None,
    traces: list[dict[str, Any]] | None = None,
) -> list[Movement]:
    """Apply several movements in the caller's transaction, all or nothing.

    Each line is (item_id, from_location_id, to_location_id or None, quantity): a withdrawal when
    there is no destination, else a transfer. `traces[i]`, when given, names line i's lot or serials
    (a lot line without one picks FEFO; a serial item's line needs them). Raises InsufficientStock
    naming every short line (in `extra["shortages"]`), NotFound, ValidationFailed, LotBlocked,
    SerialNotHere. Ledger rows carry `stock_request_id` when given.
    """
    for _item_id, src, dst, _qty in lines:
        if dst is not None:
            check_different_places(src, dst)  # else the destination's +qty would replace the source's -qty
    allowed = (Tracking.NONE, Tracking.LOT, Tracking.SERIAL) if traces else (Tracking.NONE, Tracking.LOT)
    items = lock_items((line[0] for line in lines), allowed=allowed)  # lots: FEFO or the named lot
    traced = [Trace(**t) for t in traces] if traces else [Trace()] * len(lines)
    if traces:  # a serial line's quantity is its units' count; lots or serials on untracked items: 422
        lines = [
            (
                i,
                src,
                dst,
                tracked.quantity_of(items[i], qty, t) if items[i].tracking != Tracking.NONE or t.given else qty,
            )
            for (i, src, dst, qty), t in zip(lines, traced, strict=True)
        ]
    needed: dict[tuple[int, int], Any] = {}
    for item_id, src, _dst, qty in lines:
        check_places(items[item_id], qty)
        needed[(item_id, src)] = needed.get((item_id, src), 0) + qty
    levels = lock_levels(items, [(i, loc) for i, src, dst, _q in lines for loc in (src, dst) if loc is not None])
    shortages = [
        {
            "item_id": item_id,
            "sku": items[item_id].sku,
            "location_id": src,
            "requested": qty,
            "available": levels[(item_id, src)].quantity,
        }
        for (item_id, src), qty in needed.items()
        if levels[(item_id, src)].quantity < qty
    ]
    if shortages:
        raise InsufficientStock(
            f"Not enough stock for {len(shortages)} line(s); nothing was moved.", shortages=shortages
        )
    movements = []
    for (item_id, src, dst, qty), trace in zip(lines, traced, strict=True):
        kind = action if dst is None else LogAction.TRANSFER
        if items[item_id].tracking != Tracking.NONE:
            places = {loc: levels[(item_id, loc)] for loc in (src, dst) if loc is not None}
            held = ItemLevels(items[item_id], places, in_path_order=False)
            moved = tracked.take(
                items[item_id], held, src, dst, qty, actor, note, trace, kind, stock_request_id=stock_request_id
            )
            movements.append(moved)
            continue
        changes = {src: (levels[(item_id, src)], -qty)}
        if dst is not None:
            changes[dst] = (levels[(item_id, dst)], qty)
        movements.append(apply_movement(items[item_id], changes, kind, actor, note, stock_request_id=stock_request_id))
    return movements


def add_lines(
    lines: list[tuple[int, int | None, Any]],
    *,
    actor: User,
    note: str | None = None,
    purchase_order_id: int | None = None,
    purchase_order_line_ids: list[int] | None = None,
    traces: list[dict[str, Any]] | None = None,
) -> list[Movement]:
    """Restock several lines in the caller's transaction, all or nothing.

    Each line is (item_id, location_id or None for the item's home, quantity); `traces[i]`, when
    given, the lot (and expires_on) or serials that arrived on line i (issue 27: a tracked item's
    line needs them). Raises NotFound, ValidationFailed, LotExpiryMismatch, SerialInStock. Ledger
    rows carry `purchase_order_id` and, per line, `purchase_order_line_ids[i]` when given (a receipt).
    """
    items = _lock_all(line[0] for line in lines)
    traced = [Trace(**t) for t in traces] if traces else [Trace()] * len(lines)
    for (item_id, _loc, qty), trace in zip(lines, traced, strict=True):
        if items[item_id].tracking == Tracking.NONE and not trace.given:
            check_places(items[item_id], qty)
    homes = [(item_id, loc if loc is not None else items[item_id].location_id) for item_id, loc, _q in lines]
    levels = lock_levels(items, homes)
    order_lines = purchase_order_line_ids or [None] * len(lines)
    movements = []
    for (item_id, loc), (_i, _l, qty), order_line_id, trace in zip(homes, lines, order_lines, traced, strict=True):
        item, refs = items[item_id], {"purchase_order_id": purchase_order_id, "purchase_order_line_id": order_line_id}
        if item.tracking != Tracking.NONE or trace.given:
            moved = tracked.quantity_of(item, qty, trace)
            check_places(item, moved)
            held = ItemLevels(item, {loc: levels[(item_id, loc)]}, in_path_order=False)
            movements.append(tracked.restock(item, held, loc, moved, actor, note, trace, **refs))
            continue
        movements.append(
            apply_movement(item, {loc: (levels[(item_id, loc)], qty)}, LogAction.RESTOCK, actor, note, **refs)
        )
    return movements


def count_lines(
    lines: list[tuple[int, Any]], location_id: int, *, actor: User, note: str | None = None
) -> list[Movement]:
    """Set counted quantities at one location in the caller's transaction, all or nothing.

    Each line is (item_id, counted quantity); every line is a stock-take (an adjust) of that item at
    `location_id`. Raises NotFound, ValidationFailed.
    """
    items = lock_items(item_id for item_id, _counted in lines)
    for item_id, counted in lines:
        check_places(items[item_id], counted, "counted_quantity")
    levels = lock_levels(items, [(item_id, location_id) for item_id, _counted in lines])
    movements = []
    for item_id, counted in lines:
        level = levels[(item_id, location_id)]
        changes = {location_id: (level, counted - level.quantity)}
        movements.append(apply_movement(items[item_id], changes, LogAction.ADJUST, actor, note))
    return movements


def apply_count(
    lines: list[tuple[int, int, int, Decimal | int]], *, actor: User, count_id: int, note: str | None = None
) -> list[Movement]:
    """Apply a count's variances as adjust movements in the caller's transaction, all or nothing.

    Each line is (line_id, item_id, location_id, delta): the counted quantity minus the system
    quantity when it was counted, so movements made since then are kept. Ledger rows carry
    `count_id`. Raises InsufficientStock naming every line whose level would go below zero
    (`extra["negative"]`), NotFound (a deleted item), ValidationFailed.
    """
    items = lock_items(line[1] for line in lines)
    ordered = sorted(lines, key=lambda line: (line[1], line[2]))
    levels = lock_levels(items, [(item_id, loc) for _id, item_id, loc, _delta in ordered])
    negative = [
        {
            "line_id": line_id,
            "item_id": item_id,
            "sku": items[item_id].sku,
            "location_id": loc,
            "location_name": levels[(item_id, loc)].location_name,
            "quantity": levels[(item_id, loc)].quantity,
            "delta": delta,
        }
        for line_id, item_id, loc, delta in ordered
        if levels[(item_id, loc)].quantity + delta < 0
    ]
    if negative:
        named = "; ".join(
            f"line {n['line_id']} ({n['sku']} at {n['location_name']}: {show(n['quantity'])} now, "
            f"adjustment {show(n['delta'])})"
            for n in negative
        )
        raise InsufficientStock(
            f"Approving would leave a negative level (stock left since counting): {named}. Nothing was changed; "
            "send those lines for a recount.",
            negative=negative,
        )
    return [
        apply_movement(
            items[item_id], {loc: (levels[(item_id, loc)], delta)}, LogAction.ADJUST, actor, note, count_id=count_id
        )
        for _line_id, item_id, loc, delta in ordered
    ]
