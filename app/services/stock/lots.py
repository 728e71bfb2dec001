"""Movements of lot-tracked items (issue 27): a receipt names its lot (created on first sight), a
withdrawal or transfer names one or picks FEFO. Each lot moved is one apply_movement (one ledger
row carrying lot_id), and the lot's level at the place changes with it, so a location's lot levels
always sum to its stock level (docs/lots.md).

Locks, after the item's row and its levels (locks.py): the item's lot levels at the place, in one
statement. Lots themselves are created and changed only under their item's row lock, so the item
lock serialises them like it serialises the levels.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import InsufficientStock, LotBlocked, LotExpiryMismatch, OnlyExpiredStock, ValidationFailed
from app.extensions import db
from app.models import Item, Lot, LotLevel, LotStatus, StockLevel, User
from app.models.base import utcnow
from app.services.quantities import show
from app.services.stock.write import Movement, apply_movement

# FEFO: earliest expiry first, lots without a date last, then the oldest lot.
FEFO_ORDER = (Lot.expires_on.is_(None), Lot.expires_on, Lot.created_at, Lot.id)
_LOCK_LOT_LEVELS = (
    sa.select(LotLevel, Lot)
    .join(Lot, Lot.id == LotLevel.lot_id)
    .where(LotLevel.item_id == sa.bindparam("item_id"), LotLevel.location_id == sa.bindparam("location_id"))
    .order_by(*FEFO_ORDER)
    .with_for_update(of=LotLevel)
)

Pick = tuple[Lot, LotLevel, Any]  # a lot, its level at the place, the units taken from it


def today() -> date:
    return utcnow().date()


def is_expired(lot: Lot, on: date | None = None) -> bool:
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


def lock_lot_levels(item: Item, location_id: int) -> list[tuple[LotLevel, Lot]]:
    """The item's lot levels at a place, locked, in FEFO order."""
    return [
        tuple(row) for row in db.session.execute(_LOCK_LOT_LEVELS, {"item_id": item.id, "location_id": location_id})
    ]


def lot_level(held: list[tuple[LotLevel, Lot]], item: Item, lot: Lot, location_id: int) -> LotLevel:
    """The lot's level among the locked ones, created (at 0) when the place has none of it."""
    for level, owner in held:
        if owner.id == lot.id:
            return level
    level = LotLevel(lot_id=lot.id, item_id=item.id, location_id=location_id, quantity=0)
    db.session.add(level)
    held.append((level, lot))
    return level


def pick(
    item: Item, location_id: int, quantity: Any, *, code: str | None, allow_expired: bool
) -> tuple[list[Pick], list[tuple[LotLevel, Lot]]]:
    """What to take from which lot at a place: the named lot, or FEFO over the available, unexpired
    lots (expired ones too with `allow_expired`). Raises LotBlocked, OnlyExpiredStock,
    InsufficientStock, ValidationFailed (an unknown lot)."""
    held = lock_lot_levels(item, location_id)
    if code is not None:
        lot = find_lot(item, code)
        _check_usable(item, lot, allow_expired)
        level = lot_level(held, item, lot, location_id)
        if level.quantity < quantity:
            raise _short(item, quantity, level.quantity, lot=code)
        return [(lot, level, quantity)], held
    usable = [(lv, lot) for lv, lot in held if lot.status == LotStatus.AVAILABLE and lv.quantity > 0]
    fresh = [(lv, lot) for lv, lot in usable if not is_expired(lot)]
    fresh_total = sum((lv.quantity for lv, _lot in fresh), Decimal(0))
    if fresh_total < quantity:
        all_total = sum((lv.quantity for lv, _lot in usable), Decimal(0))
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
        fresh = fresh + [(lv, lot) for lv, lot in usable if is_expired(lot)]
    picks, left = [], quantity
    for level, lot in fresh:
        if left <= 0:
            break
        taken = min(level.quantity, left)
        picks.append((lot, level, taken))
        left -= taken
    return picks, held


def _check_usable(item: Item, lot: Lot, allow_expired: bool) -> None:
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


def lot_entry(lot: Lot, quantity: Any) -> dict[str, Any]:
    """One line of a movement's `lots`."""
    return {
        "lot": lot.code,
        "lot_id": lot.id,
        "quantity": quantity,
        "expires_on": lot.expires_on.isoformat() if lot.expires_on else None,
    }


def move_lots(
    item: Item,
    moves: list[tuple[Lot, Any, tuple[StockLevel, LotLevel], tuple[StockLevel, LotLevel] | None]],
    action: str,
    actor: User,
    note: str | None,
    **refs: int | None,
) -> Movement:
    """Write each lot's share of a movement: (lot, signed units at the source, (source level, its lot
    level), (destination level, its lot level) or None). One apply_movement (one ledger row per place)
    per lot, in one transaction."""
    done = Movement(item=item, action=action, lots=[])
    for lot, delta, (level, lot_lv), to in moves:
        changes = {level.location_id: (level, delta)}
        if to is not None:
            changes[to[0].location_id] = (to[0], -delta)
        part = apply_movement(item, changes, action, actor, note, lot_id=lot.id, **refs)
        lot_lv.quantity = lot_lv.quantity + delta
        if to is not None:
            to[1].quantity = to[1].quantity - delta
        done.logs += part.logs
        done.alert = part.alert or done.alert
        done.lots.append(lot_entry(lot, abs(delta)))
    db.session.flush()
    return done
