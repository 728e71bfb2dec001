"""The ledger's rows: every column filled in one place, for an ORM row, a movement's Core statement
and an import's multi-row INSERT; and the `stock_changed` event a ledger row becomes."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import InventoryLog, Item, User
from app.models.base import utcnow
from app.services.uow import request_id

LEDGER_REFS = ("stock_request_id", "purchase_order_id", "purchase_order_line_id", "count_id", "lot_id", "serial")


def record(
    item: Item,
    action: str,
    actor: User | None,
    *,
    location_id: int | None,
    before: int,
    after: int,
    note: str | None = None,
    **refs: int | None,
) -> InventoryLog:
    """Add a ledger row for `item` to the current transaction (`refs`: see ledger_row)."""
    entry = InventoryLog(
        **ledger_row(item.id, action, actor, location_id=location_id, before=before, after=after, note=note, **refs)
    )
    db.session.add(entry)
    return entry


def ledger_row(
    item_id: int,
    action: str,
    actor: User | None,
    *,
    location_id: int | None,
    before: Any,
    after: Any,
    note: str | None = None,
    now: Any = None,
    **refs: int | str | None,
) -> dict[str, Any]:
    """Every column of a ledger row but its id, the one place they are filled in (an ORM row,
    a movement's Core statement, an import's multi-row INSERT). `refs`: the stock_request_id,
    purchase_order_id, purchase_order_line_id and count_id that made it, and the lot_id or serial
    it moved (issue 27), None when not given."""
    unknown = set(refs) - set(LEDGER_REFS)
    if unknown:
        raise TypeError(f"Not a ledger reference: {sorted(unknown)}")
    return {
        "item_id": item_id,
        "location_id": location_id,
        "user_id": actor.id if actor is not None else None,
        "action": str(action),
        "quantity_before": before,
        "quantity_after": after,
        "delta": after - before,
        "note": note,
        "request_id": request_id(),
        **{name: refs.get(name) for name in LEDGER_REFS},
        "created_at": now or utcnow(),
    }


def stock_changed_payload(
    item: Item, entry: InventoryLog, actor: User | None, total_before: int, location_name: str | None
) -> dict:
    """The `stock_changed` event of one ledger row (the live pages and the counters' listeners read it);
    a lot's or a unit's row names it (`lot_id`, `serial`)."""
    traced = {name: getattr(entry, name) for name in ("lot_id", "serial") if getattr(entry, name, None) is not None}
    return {
        **traced,
        "item_id": item.id,
        "sku": item.sku,
        "name": item.name,
        "unit": item.unit,
        "location_id": entry.location_id,
        "location_name": location_name,
        "quantity_before": entry.quantity_before,
        "quantity_after": entry.quantity_after,
        "delta": entry.delta,
        "item_quantity_before": total_before,
        "item_quantity": item.quantity,
        "is_low_stock": item.is_low_stock,
        "action": entry.action,
        "log_id": entry.id,
        "user_email": actor.email if actor is not None else None,
        "timestamp": entry.created_at.isoformat(),
    }
