"""Reading the ledger."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.models import InventoryLog
from app.services.pagination import Page, paginate


def list_logs(
    *,
    page: int = 1,
    per_page: int = 50,
    item_id: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    request_id: str | None = None,
    lot_id: int | None = None,
    serial: str | None = None,
) -> Page:
    conditions = []
    if lot_id is not None:
        conditions.append(InventoryLog.lot_id == lot_id)
    if serial is not None:
        conditions.append(InventoryLog.serial == serial)
    if request_id is not None:
        conditions.append(InventoryLog.request_id == request_id)
    if item_id is not None:
        conditions.append(InventoryLog.item_id == item_id)
    if user_id is not None:
        conditions.append(InventoryLog.user_id == user_id)
    if action is not None:
        conditions.append(InventoryLog.action == action)
    if since is not None:
        conditions.append(InventoryLog.created_at >= since)
    if until is not None:
        conditions.append(InventoryLog.created_at <= until)
    return paginate(
        sa.select(InventoryLog).where(*conditions).order_by(InventoryLog.created_at.desc(), InventoryLog.id.desc()),
        sa.select(sa.func.count(InventoryLog.id)).where(*conditions),
        page=page,
        per_page=per_page,
    )


def labels_for(entries: list[InventoryLog]) -> dict[str, dict]:
    """Names to show beside ledger rows: {"users": {id: name}, "items": {id: item}, "locations": {id: name}}."""
    from app.extensions import db
    from app.models import Item, Location, User

    def lookup(model, ids, value):
        ids = {i for i in ids if i is not None}
        if not ids:
            return {}
        return {row.id: value(row) for row in db.session.execute(sa.select(model).where(model.id.in_(ids))).scalars()}

    return {
        "users": lookup(User, (e.user_id for e in entries), lambda u: u.full_name),
        "items": lookup(Item, (e.item_id for e in entries), lambda i: i),
        "locations": lookup(Location, (e.location_id for e in entries), lambda loc: loc.path),
    }
