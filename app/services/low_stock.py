"""Low-stock alerts kept true: one open alert per active item below its threshold.

Called inside the transaction of whatever changed an item's total or threshold (a
movement, an edit, a deletion), after the item row is locked: an item that went low
gets an alert; an item back at or above its threshold (or deleted) has its open
alerts resolved, naming the person and the ledger row that did it. So the
dashboard's "low-stock items" and "open alerts" count the same thing. Events are
queued and leave after the commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import events
from app.extensions import db
from app.models import Alert, InventoryLog, Item, User
from app.models.base import utcnow
from app.services.quantities import show


def after_change(
    item: Item,
    *,
    was_low: bool,
    actor: User | None,
    entry: InventoryLog | None = None,
    location_id: int | None = None,
) -> Alert | None:
    """Raise or resolve the item's alert after its total or threshold changed; returns a raised alert."""
    is_low = item.is_low_stock and not item.is_deleted
    if is_low and not was_low:
        return _raise(item, location_id or item.location_id)
    if was_low and not is_low:
        _resolve(item, actor, entry)
    return None


def _raise(item: Item, location_id: int) -> Alert:
    alert = Alert(
        item_id=item.id,
        location_id=location_id,
        quantity=item.quantity,
        threshold=item.low_stock_threshold,
        message=f"{item.name} ({item.sku}) is low: {show(item.quantity)} {item.unit} left, threshold {show(item.low_stock_threshold)}.",
        created_at=utcnow(),
    )
    db.session.add(alert)
    db.session.flush()
    events.publish(
        "low_stock_alert",
        {
            "alert_id": alert.id,
            "item_id": item.id,
            "sku": item.sku,
            "name": item.name,
            "quantity": item.quantity,
            "threshold": item.low_stock_threshold,
            "location_id": location_id,
            "message": alert.message,
            "created_at": alert.created_at.isoformat(),
        },
    )
    return alert


def resolution_reason(item: Item) -> str:
    if item.is_deleted:
        return "Item deleted"
    return (
        f"Stock returned to {show(item.quantity)} {item.unit}, at or above the threshold of "
        f"{show(item.low_stock_threshold)} {item.unit}"
    )


def _resolve(item: Item, actor: User | None, entry: InventoryLog | None) -> None:
    now = utcnow()
    reason = resolution_reason(item)
    open_alerts = (
        db.session.execute(
            sa.select(Alert).where(Alert.item_id == item.id, Alert.resolved_at.is_(None)).order_by(Alert.id)
        )
        .scalars()
        .all()
    )
    for alert in open_alerts:
        alert.resolved_at = now
        alert.resolved_by_id = actor.id if actor is not None else None
        alert.resolved_by_log_id = entry.id if entry is not None else None
        alert.resolved_reason = reason
    if not open_alerts:
        return
    db.session.flush()
    for alert in open_alerts:
        events.publish(
            "alert_resolved",
            {
                "alert_id": alert.id,
                "item_id": item.id,
                "sku": item.sku,
                "quantity": item.quantity,
                "threshold": item.low_stock_threshold,
                "reason": reason,
                "user_email": actor.email if actor is not None else None,
                "log_id": alert.resolved_by_log_id,
                "timestamp": now.isoformat(),
            },
        )
