"""Movements of lot-tracked items (issue 27): a receipt names its lot (created on first sight), a
withdrawal or transfer names one or picks FEFO. Each lot moved is one apply_movement (one ledger
row carrying lot_id), and the lot's level at the place changes with it, so a location's lot levels
always sum to its stock level (docs/lots.md).

Locks, after the item's row and its levels (locks.py): all the item's lot levels, in one statement
(lot_levels.py). Lots themselves are created and changed only under their item's row lock, so the item
lock serialises them like it serialises the levels.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import InsufficientStock, LotBlocked, LotExpiryMismatch, OnlyExpiredStock, ValidationFailed
from app.extensions import db
from app.models import Item, Lot, LotStatus, StockLevel, User
from app.models.base import utcnow
from app.services.quantities import show
from app.services.stock.lot_levels import HeldLot, HeldLots
from app.services.stock.write import Movement, apply_movement

# FEFO: earliest expiry first, lots without a date last, then the oldest lot.
FEFO_ORDER = (Lot.expires_on.is_(None), Lot.expires_on, Lot.created_at, Lot.id)


def today() -> date:
    return utcnow().date()


def is_expired(lot: Any, on: date | None = None) -> bool:
    return lot.expires_on is not None and lot.expires_on < (on or today())


def find_lot(item: Item, code: str, field_name: str = "lot") -> Lot:
    """A known lot of the item by its code. Raises ValidationFailed naming `field_name`."""
    lot = db.session.scalar(sa.select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is None:
        raise ValidationFailed(
            f"{item.sku} has no lot {code!r}.", fields={field_name: [f"No lot {code!r} of this item."]}
        )
    return lot


def receive_lot(item: Item, code: str | None, expires_on: date | None) -> Lot:
    """The lot a receipt adds to: a known code, or a new lot (its expiry: the one given, else today +
    the item's shelf life). Raises ValidationFailed (no code; no date when the item requires one),
    LotExpiryMismatch (another date for a known lot)."""
    if not code:
        raise ValidationFailed(
            f"{item.sku} is tracked by lot: say which lot arrives.", fields={"lot": ["Give the lot code."]}
        )
    lot = db.session.scalar(sa.select(Lot).where(Lot.item_id == item.id, Lot.code == code))
    if lot is not None:
        if expires_on is not None and expires_on != lot.expires_on:
            raise LotExpiryMismatch(
                f"Lot {code} of {item.sku} expires on {lot.expires_on or 'no date'}, not {expires_on}.",
                fields={"expires_on": [f"Lot {code} expires on {lot.expires_on or 'no date'}."]},
                lot_id=lot.id,
                expires_on=lot.expires_on.isoformat() if lot.expires_on else None,
            )
        return lot
    if expires_on is None and item.shelf_life_days:
        expires_on = today() + timedelta(days=item.shelf_life_days)
    if expires_on is None and item.expiry_required:
        raise ValidationFailed(
            f"{item.sku} needs an expiry date for a new lot.", fields={"expires_on": ["Give the expiry date."]}
        )
    lot = Lot(item_id=item.id, code=code, expires_on=expires_on, status=LotStatus.AVAILABLE, created_at=utcnow())
    db.session.add(lot)
    db.session.flush()
    return lot


def pick(
    item: Item, held: HeldLots, location_id: int, quantity: Any, *, code: str | None, allow_expired: bool
) -> list[tuple[HeldLot, Any]]:
    """What to take from which lot at a place: the named lot, or FEFO over the available, unexpired
    lots (expired ones too with `allow_expired`). Raises LotBlocked, OnlyExpiredStock,
    InsufficientStock, ValidationFailed (an unknown lot)."""
    here = held.at(location_id)
    if code is not None:
        level = next((r for r in here if r.code == code), None)
        if level is None:
            find_lot(item, code)  # an unknown code is a 422; a known one with nothing here is short
            raise _short(item, quantity, 0, lot=code)
        _check_usable(item, level, allow_expired)
        if level.quantity < quantity:
            raise _short(item, quantity, level.quantity, lot=code)
        return [(level, quantity)]
    usable = [r for r in here if r.status == LotStatus.AVAILABLE and r.quantity > 0]
    fresh = [r for r in usable if not is_expired(r)]
    fresh_total = sum((r.quantity for r in fresh), Decimal(0))
    if fresh_total < quantity:
        all_total = sum((r.quantity for r in usable), Decimal(0))
        if all_total < quantity:
            raise _short(item, quantity, all_total if allow_expired else fresh_total)
        if not allow_expired:
            raise OnlyExpiredStock(
                f"Only expired lots of {item.sku} would cover {show(quantity)} {item.unit} here; "
                f"{show(fresh_total)} is in date. A manager may take expired stock (allow_expired).",
                available=fresh_total,
                requested=quantity,
                expired=all_total - fresh_total,
                location_id=location_id,
            )
        # In-date lots first; expired ones (earliest first) cover only the shortfall.
        fresh = fresh + [r for r in usable if is_expired(r)]
    picks, left = [], quantity
    for level in fresh:
        if left <= 0:
            break
        taken = min(level.quantity, left)
        picks.append((level, taken))
        left -= taken
    return picks


def _check_usable(item: Item, lot: HeldLot, allow_expired: bool) -> None:
    if lot.status == LotStatus.BLOCKED:
        raise LotBlocked(
            f"Lot {lot.code} of {item.sku} is blocked: it cannot be picked or withdrawn.",
            fields={"lot": ["This lot is blocked."]},
            lot_id=lot.id,
        )
    if is_expired(lot) and not allow_expired:
        raise OnlyExpiredStock(
            f"Lot {lot.code} of {item.sku} expired on {lot.expires_on}. A manager may take it (allow_expired).",
            fields={"lot": ["This lot has expired."]},
            lot_id=lot.id,
        )


def _short(item: Item, requested: Any, available: Any, **extra: Any) -> InsufficientStock:
    return InsufficientStock(
        f"Only {show(available)} {item.unit} of {item.sku} can be taken at this location; {show(requested)} requested.",
        available=available,
        requested=requested,
        **extra,
    )


def lot_entry(lot: Any, quantity: Any) -> dict[str, Any]:
    """One line of a movement's `lots` (`lot`: a Lot or a HeldLot)."""
    return {
        "lot": lot.code,
        "lot_id": lot.id,
        "quantity": quantity,
        "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
    }


# A lot's share of a movement: its level at the source and the signed units there, and its level at
# the destination with the destination's stock level (a transfer), or None.
Share = tuple[HeldLot, Any, StockLevel, tuple[HeldLot, StockLevel] | None]


def move_lots(
    item: Item, held: HeldLots, shares: list[Share], action: str, actor: User, note: str | None, **refs: Any
) -> Movement:
    """Write each lot's share of a movement: one apply_movement (one ledger row per place) per lot,
    with the lot levels' new quantities, in one transaction. The answer's stock is built from the
    locked lot levels."""
    done = Movement(item=item, action=action, lots=[])
    for lot_level, delta, level, to in shares:
        changes = {level.location_id: (level, delta)}
        lot_changes = [(lot_level, lot_level.quantity + delta)]
        if to is not None:
            changes[to[1].location_id] = (to[1], -delta)
            lot_changes.append((to[0], to[0].quantity - delta))
        part = apply_movement(
            item,
            changes,
            action,
            actor,
            note,
            lot_levels=[(r.level_id, q) for r, q in lot_changes],
            lot_id=lot_level.id,
            **refs,
        )
        for row, quantity in lot_changes:
            row.quantity = quantity
        done.logs += part.logs
        done.alert = part.alert or done.alert
        done.lots.append(lot_entry(lot_level, abs(delta)))
    done.stock = held.stock()
    return done
