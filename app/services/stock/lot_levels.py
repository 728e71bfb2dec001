"""A lot-tracked item's lot levels, locked by one Core statement (after the item's row and its
levels), kept as plain rows: the FEFO pick reads them, the movement writes their new quantities in
its own statement (write.py), and the answer's stock per (location, lot) is built from them with no
second read. Plain rows, not ORM objects: this is the floor's hot path (docs/lots.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Item, Location, Lot, LotLevel

_LOCK = (
    sa.select(
        LotLevel.id,
        LotLevel.location_id,
        LotLevel.quantity,
        Location.path,
        Lot.id,
        Lot.code,
        Lot.expires_on,
        Lot.status,
        Lot.created_at,
    )
    .join(Lot, Lot.id == LotLevel.lot_id)
    .join(Location, Location.id == LotLevel.location_id)
    .where(LotLevel.item_id == sa.bindparam("item_id"))
    .with_for_update(of=LotLevel)
)
_INSERT = LotLevel.__table__.insert().returning(LotLevel.__table__.c.id)


@dataclass
class HeldLot:
    """One lot's level at one place, with what FEFO and the answer need of the lot."""

    level_id: int | None  # None until written: a place that had none of the lot
    location_id: int
    quantity: Any
    path: str | None
    id: int  # the lot's
    code: str
    expires_on: date | None
    status: str
    created_at: datetime

    def fefo_key(self) -> tuple:
        return (self.expires_on is None, self.expires_on or date.min, self.created_at, self.id)


@dataclass
class HeldLots:
    item: Item
    rows: list[HeldLot]

    @classmethod
    def lock(cls, item: Item) -> HeldLots:
        return cls(item, [HeldLot(*row) for row in db.session.execute(_LOCK, {"item_id": item.id})])

    def at(self, location_id: int) -> list[HeldLot]:
        """The levels at a place, in FEFO order."""
        return sorted((r for r in self.rows if r.location_id == location_id), key=HeldLot.fefo_key)

    def of(self, lot: Any, location_id: int, path: str | None) -> HeldLot:
        """The lot's level at a place, created (at 0, in the database too) when the place has none."""
        for row in self.rows:
            if row.id == lot.id and row.location_id == location_id:
                return row
        level_id = db.session.execute(
            _INSERT, {"lot_id": lot.id, "item_id": self.item.id, "location_id": location_id, "quantity": 0}
        ).scalar_one()
        row = HeldLot(level_id, location_id, 0, path, lot.id, lot.code, lot.expires_on, lot.status, lot.created_at)
        self.rows.append(row)
        return row

    def stock(self) -> list[dict[str, Any]]:
        """The item's stock per (location, lot) holding some, by path then FEFO (as reads.lot_stock)."""
        held = sorted((r for r in self.rows if r.quantity > 0), key=lambda r: (r.path or "", *r.fefo_key()))
        return [
            {
                "location_id": r.location_id,
                "location_name": r.path,
                "quantity": r.quantity,
                "lot_id": r.id,
                "lot": r.code,
                "expires_on": r.expires_on,
            }
            for r in held
        ]
