"""Movements of serial-tracked items (issue 27): each unit named, one ledger row (carrying `serial`)
per unit. A restocked serial must not be in stock; a withdrawn or moved one must be in stock at the
source. Serial rows are locked after the item's row and its levels, in serial order."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.errors import SerialInStock, SerialNotHere, ValidationFailed
from app.extensions import db
from app.models import Item, LogAction, Serial, SerialState, StockLevel, User
from app.models.base import utcnow
from app.services.stock.locks import lock_level
from app.services.stock.write import Movement, apply_movement


def check_units(item: Item, serials: list[str] | None, quantity: Any) -> list[str]:
    """The serials of a movement, each once, agreeing with `quantity` when given. Raises ValidationFailed."""
    if not serials:
        raise ValidationFailed(
            f"{item.sku} is tracked by serial number: name the units.", fields={"serials": ["Give the serials."]}
        )
    seen: set[str] = set()
    twice = [s for s in serials if s in seen or seen.add(s)]
    if twice:
        raise ValidationFailed(
            f"Serial {twice[0]} is given twice.", fields={"serials": [f"{twice[0]} is given twice."]}, serial=twice[0]
        )
    if quantity is not None and quantity != len(serials):
        raise ValidationFailed(
            f"{len(serials)} serial(s) name {len(serials)} unit(s), not {quantity}.",
            fields={"quantity": [f"Leave it out or send {len(serials)}."]},
        )
    return list(serials)


def _lock(item: Item, serials: list[str]) -> dict[str, Serial]:
    rows = db.session.execute(
        sa.select(Serial)
        .where(Serial.item_id == item.id, Serial.serial.in_(serials))
        .order_by(Serial.serial)
        .with_for_update()
    ).scalars()
    return {row.serial: row for row in rows}


def move_units(
    item: Item,
    serials: list[str],
    action: str,
    actor: User,
    note: str | None,
    source: StockLevel | None,
    destination: StockLevel | None,
    **refs: int | None,
) -> Movement:
    """Receive (no source), withdraw (no destination) or move units. Raises SerialInStock, SerialNotHere."""
    known = _lock(item, serials)
    for serial in serials:
        unit = known.get(serial)
        here = unit is not None and unit.state == SerialState.IN_STOCK
        if source is None and here:
            raise SerialInStock(
                f"Serial {serial} of {item.sku} is already in stock.",
                fields={"serials": [f"{serial} is already in stock."]},
                serial=serial,
                location_id=unit.location_id,
            )
        if source is not None and not (here and unit.location_id == source.location_id):
            raise SerialNotHere(
                f"Serial {serial} of {item.sku} is not in stock at this location.",
                fields={"serials": [f"{serial} is not here."]},
                serial=serial,
            )
    done = Movement(item=item, action=action, serials=list(serials))
    now = utcnow()
    for serial in serials:
        changes = {}
        if source is not None:
            changes[source.location_id] = (source, -1)
        if destination is not None:
            changes[destination.location_id] = (destination, 1)
        part = apply_movement(item, changes, action, actor, note, serial=serial, **refs)
        unit = known.get(serial)
        if unit is None:
            unit = known[serial] = Serial(item_id=item.id, serial=serial)
            db.session.add(unit)
        unit.state = SerialState.IN_STOCK if destination is not None else SerialState.WITHDRAWN
        unit.location_id = destination.location_id if destination is not None else None
        unit.updated_at = now
        done.logs += part.logs
        done.alert = part.alert or done.alert
    db.session.flush()
    return done


def adjust_units(item: Item, level: StockLevel, serials: list[str], actor: User, note: str | None) -> Movement:
    """A stock-take of a serial item at a place: `serials` are the units found there; units the system
    placed there but not found are written off, units found that were elsewhere move here."""
    placed = set(
        db.session.scalars(
            sa.select(Serial.serial).where(
                Serial.item_id == item.id,
                Serial.location_id == level.location_id,
                Serial.state == SerialState.IN_STOCK,
            )
        )
    )
    found = set(serials)
    missing = sorted(placed - found)
    new = sorted(found - placed)
    done = Movement(item=item, action=LogAction.ADJUST, serials=[])
    known = _lock(item, sorted(placed | found))
    for serial in missing + new:
        unit = known.get(serial)
        gone = serial in placed
        changes = {level.location_id: (level, -1 if gone else 1)}
        if not gone and unit is not None and unit.state == SerialState.IN_STOCK:
            # Misplaced: found here, the system had it elsewhere; it moves here.
            elsewhere = lock_level(item, unit.location_id)
            changes = {unit.location_id: (elsewhere, -1), level.location_id: (level, 1)}
        part = apply_movement(item, changes, LogAction.ADJUST, actor, note, serial=serial)
        if unit is None:
            unit = Serial(item_id=item.id, serial=serial)
            db.session.add(unit)
        unit.state = SerialState.WITHDRAWN if gone else SerialState.IN_STOCK
        unit.location_id = None if gone else level.location_id
        unit.updated_at = utcnow()
        done.logs += part.logs
        done.alert = part.alert or done.alert
        done.serials.append(serial)
    db.session.flush()
    return done
