"""Counts of lot-tracked items (issue 27): one line per (item, location, lot). Which lot a counted
line names, the expected quantity per lot at opening and when counted. Reads only; the approval's
lot adjustments are written by app/services/stock (apply_lot_count)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.errors import ValidationFailed
from app.extensions import db
from app.models import Item, LotLevel, Tracking
from app.services.stock.lots import find_lot


def expand(rows: list[tuple]) -> list[tuple]:
    """(item_id, location_id, quantity) rows -> (item_id, location_id, lot_id, quantity): a lot item's
    row becomes one row per lot held there."""
    lot_items = set(
        db.session.scalars(sa.select(Item.id).where(Item.id.in_({r[0] for r in rows}), Item.tracking == Tracking.LOT))
    )
    if not lot_items:
        return [(i, loc, None, q) for i, loc, q in rows]
    held: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    for item_id, loc, lot_id, quantity in db.session.execute(
        sa.select(LotLevel.item_id, LotLevel.location_id, LotLevel.lot_id, LotLevel.quantity)
        .where(LotLevel.item_id.in_(lot_items), LotLevel.quantity > 0)
        .order_by(LotLevel.lot_id)
    ):
        held.setdefault((item_id, loc), []).append((lot_id, quantity))
    out = []
    for item_id, loc, quantity in rows:
        if item_id in lot_items:
            out += [(item_id, loc, lot_id, q) for lot_id, q in held.get((item_id, loc), [])]
        else:
            out.append((item_id, loc, None, quantity))
    return out


def lot_of(item: Item, lot: str | None) -> int | None:
    """The lot id a counted line names. Raises ValidationFailed naming `lot` (missing for a lot item,
    unknown for it, given for an untracked one) or `serials` (serial items are not counted here yet)."""
    if item.tracking == Tracking.SERIAL:
        raise ValidationFailed(
            f"{item.sku} is tracked by serial: its units are not counted by quantity.",
            fields={"serials": ["Serial items are counted per unit."]},
        )
    if item.tracking == Tracking.NONE:
        if lot is not None:
            raise ValidationFailed(
                f"{item.sku} is not tracked by lot.", fields={"lot": ["This item is not tracked by lot."]}
            )
        return None
    if not lot:
        raise ValidationFailed(f"{item.sku} is counted per lot: say which lot.", fields={"lot": ["Give the lot code."]})
    return find_lot(item, lot).id


def lot_quantity(lot_id: int, location_id: int) -> Decimal:
    return db.session.scalar(
        sa.select(LotLevel.quantity).where(LotLevel.lot_id == lot_id, LotLevel.location_id == location_id)
    ) or Decimal(0)
