"""Traceability reads and the lot's own edits (issue 27): an item's lots with their levels, a lot's
status and expiry (PATCH), a lot's trace (where it came from, every movement, where it is, where it
went), an item's serials and one unit's history. Stock itself moves only in app/services/stock/."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import NotFound
from app.extensions import db
from app.jsonio import raw
from app.models import InventoryLog, Item, Location, LogAction, Lot, LotLevel, Serial, SerialState, User
from app.models.base import normalise
from app.services import stock
from app.services.lookup import get_or_404
from app.services.stock.lots import FEFO_ORDER
from app.services.uow import unit_of_work


def item_lots(item_id: int) -> list[dict[str, Any]]:
    """An item's lots in FEFO order, each with its total and its levels per place. Raises NotFound."""
    item = get_or_404(Item, item_id, where=[Item.is_deleted.is_(False)])
    lots = db.session.scalars(sa.select(Lot).where(Lot.item_id == item.id).order_by(*FEFO_ORDER)).all()
    levels = _levels_of([lot.id for lot in lots])
    return [_lot_row(lot, levels.get(lot.id, [])) for lot in lots]


def _levels_of(lot_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not lot_ids:
        return found
    rows = db.session.execute(
        sa.select(LotLevel.lot_id, LotLevel.location_id, Location.path, LotLevel.quantity)
        .join(Location, Location.id == LotLevel.location_id)
        .where(LotLevel.lot_id.in_(lot_ids), LotLevel.quantity > 0)
        .order_by(Location.path)
    )
    for lot_id, location_id, path, quantity in rows:
        found.setdefault(lot_id, []).append({"location_id": location_id, "path": path, "quantity": quantity})
    return found


def _lot_row(lot: Lot, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": lot.id,
        "item_id": lot.item_id,
        "code": lot.code,
        "expires_on": lot.expires_on,
        "status": lot.status,
        "created_at": lot.created_at,
        "quantity": normalise(sum((level["quantity"] for level in levels), Decimal(0))),
        "levels": levels,
    }


def update_lot(lot_id: int, changes: dict[str, Any], *, actor: User) -> dict[str, Any]:
    """Block or release a lot, or correct its expiry date; the change is a ledger row of the item
    (action `update`, with the lot). Raises NotFound."""
    lot = get_or_404(Lot, lot_id)
    with unit_of_work():
        item = stock.lock_item(lot.item_id)  # the item's lock serialises the lot with its movements
        lot = db.session.scalar(sa.select(Lot).where(Lot.id == lot_id).with_for_update())
        changed = {k: v for k, v in changes.items() if getattr(lot, k) != v}
        for name, value in changed.items():
            setattr(lot, name, value)
        if changed:
            shown = ", ".join(f"{k}={v}" for k, v in sorted(changed.items()))
            stock.record(
                item,
                LogAction.UPDATE,
                actor,
                location_id=None,
                before=item.quantity,
                after=item.quantity,
                note=f"Lot {lot.code}: {shown}",
                lot_id=lot.id,
            )
    return _lot_row(lot, _levels_of([lot.id]).get(lot.id, []))


# A trace reads thousands of ledger rows: plain columns (no ORM objects), turned into JSON-ready
# dicts here, answered without a schema dump (LotTraceSchema documents the same shape).
_MOVEMENT_KEYS = (
    "id",
    "action",
    "at",
    "user_id",
    "user",
    "location_id",
    "path",
    "delta",
    "quantity_before",
    "quantity_after",
    "note",
    "serial",
    "purchase_order_id",
    "purchase_order_line_id",
    "stock_request_id",
    "count_id",
)
_MOVEMENTS = (
    sa.select(
        InventoryLog.id,
        InventoryLog.action,
        InventoryLog.created_at,
        InventoryLog.user_id,
        User.full_name,
        InventoryLog.location_id,
        Location.path,
        InventoryLog.delta,
        InventoryLog.quantity_before,
        InventoryLog.quantity_after,
        InventoryLog.note,
        InventoryLog.serial,
        InventoryLog.purchase_order_id,
        InventoryLog.purchase_order_line_id,
        InventoryLog.stock_request_id,
        InventoryLog.count_id,
    )
    .outerjoin(User, User.id == InventoryLog.user_id)
    .outerjoin(Location, Location.id == InventoryLog.location_id)
    .order_by(InventoryLog.created_at, InventoryLog.id)
)


def _movements(*where: Any) -> list[dict[str, Any]]:
    keys = _MOVEMENT_KEYS
    return [
        dict(zip(keys, (row[0], row[1], row[2].isoformat(), *row[3:]), strict=True))
        for row in db.session.execute(_MOVEMENTS.where(*where))
    ]


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


# PostgreSQL writes a big trace's three lists itself (10,000 rows: a few ms, against hundreds
# for building and encoding the dicts in Python); the same keys and values as _movements.
_TRACE_JSON = sa.text(
    """
    WITH m AS MATERIALIZED (
        SELECT l.id, l.action, l.created_at AS at, l.user_id, u.full_name AS "user", l.location_id, loc.path,
               trim_scale(l.delta) AS delta, trim_scale(l.quantity_before) AS quantity_before,
               trim_scale(l.quantity_after) AS quantity_after, l.note, l.serial, l.purchase_order_id,
               l.purchase_order_line_id, l.stock_request_id, l.count_id
        FROM inventory_logs l
        LEFT JOIN users u ON u.id = l.user_id
        LEFT JOIN locations loc ON loc.id = l.location_id
        WHERE l.lot_id = :lot_id
        ORDER BY l.created_at, l.id
    )
    SELECT
        coalesce(json_agg(m), '[]')::text,
        coalesce(json_agg(m) FILTER (WHERE m.action = 'restock'), '[]')::text,
        coalesce(json_agg(
            CASE WHEN m.stock_request_id IS NULL
                 THEN json_build_object('quantity', -m.delta, 'at', m.at, 'user', m."user", 'note', m.note)
                 ELSE json_build_object('quantity', -m.delta, 'at', m.at, 'user', m."user", 'note', m.note,
                                        'request_id', m.stock_request_id) END
        ) FILTER (WHERE m.action = 'withdraw'), '[]')::text
    FROM m
    """
)
# The aggregates read the materialized rows in the order they were written (oldest first): one
# sort for the three lists, or none when the lot's index answers in that order.


def lot_trace(lot_id: int) -> dict[str, Any]:
    """Where a lot came from, every ledger row of it (oldest first), where it is and where it went,
    JSON-ready (on PostgreSQL the lists arrive as JSON text, see jsonio.raw). Raises NotFound."""
    lot = get_or_404(Lot, lot_id)
    item = db.session.get(Item, lot.item_id)
    head = _trace_head(lot, item)
    if db.session.get_bind().dialect.name == "postgresql":
        movements, received, withdrawn = db.session.execute(_TRACE_JSON, {"lot_id": lot_id}).one()
        return head | {"received": raw(received), "movements": raw(movements), "withdrawn": raw(withdrawn)}
    movements = _movements(InventoryLog.lot_id == lot_id)
    withdraw, restock = str(LogAction.WITHDRAW), str(LogAction.RESTOCK)
    withdrawn = [
        {"quantity": -m["delta"], "at": m["at"], "user": m["user"], "note": m["note"]}
        | ({"request_id": m["stock_request_id"]} if m["stock_request_id"] is not None else {})
        for m in movements
        if m["action"] == withdraw
    ]
    return head | {
        "received": [m for m in movements if m["action"] == restock],
        "movements": movements,
        "withdrawn": withdrawn,
    }


def _trace_head(lot: Lot, item: Item) -> dict[str, Any]:
    on_hand = _levels_of([lot.id]).get(lot.id, [])
    row = _lot_row(lot, on_hand)
    row.update(expires_on=_iso(lot.expires_on), created_at=_iso(lot.created_at))
    item_row = {"id": item.id, "sku": item.sku, "name": item.name, "unit": item.unit}
    return {"lot": row, "item": item_row, "on_hand": on_hand}


def item_serials(item_id: int, *, state: str | None = None) -> list[dict[str, Any]]:
    """An item's units (in one state when given), by serial. Raises NotFound."""
    item = get_or_404(Item, item_id, where=[Item.is_deleted.is_(False)])
    query = (
        sa.select(Serial, Location.path)
        .outerjoin(Location, Location.id == Serial.location_id)
        .where(Serial.item_id == item.id)
        .order_by(Serial.serial)
    )
    if state is not None:
        query = query.where(Serial.state == state)
    return [_serial_row(unit, path) for unit, path in db.session.execute(query)]


def _serial_row(unit: Serial, path: str | None) -> dict[str, Any]:
    return {
        "serial": unit.serial,
        "item_id": unit.item_id,
        "state": unit.state,
        "location_id": unit.location_id,
        "path": path,
        "updated_at": unit.updated_at,
    }


def serial_history(item_id: int, serial: str) -> dict[str, Any]:
    """One unit: where it is and every ledger row of it, oldest first, JSON-ready. Raises NotFound."""
    get_or_404(Item, item_id)
    found = db.session.execute(
        sa.select(Serial, Location.path)
        .outerjoin(Location, Location.id == Serial.location_id)
        .where(Serial.item_id == item_id, Serial.serial == serial)
    ).one_or_none()
    if found is None:
        raise NotFound(f"Item {item_id} has no serial {serial!r}.")
    movements = _movements(InventoryLog.item_id == item_id, InventoryLog.serial == serial)
    unit = _serial_row(*found)
    return unit | {"updated_at": _iso(unit["updated_at"]), "movements": movements}


def serials_in_stock_page(item_id: int, *, page: int, per_page: int) -> Any:
    """One page of an item's units in stock, by serial, each {serial, location_id, path} (the item page)."""
    from app.services.pagination import Page

    where = (Serial.item_id == item_id, Serial.state == SerialState.IN_STOCK)
    query = (
        sa.select(Serial.serial, Serial.location_id, Location.path)
        .outerjoin(Location, Location.id == Serial.location_id)
        .where(*where)
        .order_by(Serial.serial)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Serial).where(*where))
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    return Page(items=rows, total=total or 0, page=page, per_page=per_page)


def lot_summary(lot_id: int) -> dict[str, Any]:
    """A lot with its item and where it is now, JSON-ready (a label's text). Raises NotFound."""
    lot = get_or_404(Lot, lot_id)
    return _trace_head(lot, db.session.get(Item, lot.item_id))
