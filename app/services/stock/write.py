"""The one primitive that writes a movement, and the one place that keeps the ORM in step with it.

`apply_movement` takes an item whose row and levels are already locked (app/services/stock/locks.py),
checks the upper limit, writes each level, the item's total and one ledger row per level, notes
the counters' change, queues the `stock_changed` events and raises or resolves the low-stock alert.
Nothing else in the app assigns a stock quantity (tests/test_layout.py checks the writers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from app import events
from app.errors import ValidationFailed
from app.extensions import db
from app.input_guard import problem_with
from app.limits import MAX_QUANTITY
from app.models import Alert, InventoryLog, Item, LogAction, LotLevel, StockLevel, User
from app.models.base import utcnow
from app.services import counters, low_stock, uow
from app.services.stock.ledger import ledger_row, record, stock_changed_payload


@dataclass
class Movement:
    """What a movement did: the item after it, its ledger rows, and any alert raised."""

    item: Item
    action: str
    logs: list[InventoryLog] = field(default_factory=list)
    alert: Alert | None = None
    stock: list[dict[str, Any]] = field(default_factory=list)  # the item's levels after it, read under its lock
    # Lot-tracked items: what each lot gave or took ({lot, lot_id, quantity, expires_on}); serial items: the units.
    lots: list[dict[str, Any]] | None = None
    serials: list[str] | None = None


Changes = dict[int, tuple[StockLevel, Any]]  # location id -> (its locked level, the change in units)


def apply_movement(
    item: Item,
    changes: Changes,
    action: str,
    actor: User,
    note: str | None,
    *,
    lot_levels: list[tuple[int, Any]] | None = None,
    **refs: Any,
) -> Movement:
    """Write one movement of a locked item: its levels, its total and its ledger rows (and, for one
    lot of a lot item, its locked lot levels' new quantities: (lot level id, quantity) each).
    `refs`: the ledger's stock_request_id, purchase_order_id, purchase_order_line_id, count_id, lot_id, serial.
    Raises ValidationFailed (above MAX_QUANTITY at a place; a note that cannot be stored)."""
    _check_note(note)
    total_before = item.quantity
    movement = Movement(item=item, action=action)
    now = utcnow()
    levels, rows, total = [], [], total_before
    for location_id, (level, delta) in changes.items():
        before = level.quantity
        after = before + delta
        if after > MAX_QUANTITY:
            raise ValidationFailed(
                f"That would put more than {MAX_QUANTITY:,} {item.unit} of {item.sku} in one place.",
                fields={"quantity": [f"Too many: a location holds at most {MAX_QUANTITY:,} {item.unit} of one item."]},
            )
        total += delta
        levels.append((level, before, after))
        rows.append(
            ledger_row(
                item.id, action, actor, location_id=location_id, before=before, after=after, note=note, now=now, **refs
            )
        )
    ids = _write(item.id, total, now, [(level.id, after) for level, _before, after in levels], rows, lot_levels or [])
    _as_committed(item, total, [(level, after) for level, _before, after in levels], now)
    movement.logs = [InventoryLog(id=log_id, **row) for log_id, row in zip(ids, rows, strict=True)]
    counters.note_movement(
        item, total_before, [(item.id, lv.location_id, lv.location_key, before, after) for lv, before, after in levels]
    )
    for entry, (level, _before, _after) in zip(movement.logs, levels, strict=True):
        events.publish("stock_changed", stock_changed_payload(item, entry, actor, total_before, level.location_name))
    movement.alert = low_stock.after_change(
        item,
        was_low=total_before < item.low_stock_threshold,
        actor=actor,
        entry=movement.logs[-1],
        location_id=next(iter(changes)) if len(changes) == 1 else None,
    )
    return movement


def _check_note(note: str | None) -> None:
    """The input guard checks every statement's parameters, but names a field after the parameter;
    the note is checked here so that its refusal names `note`, whatever the statement calls it."""
    message = problem_with(note) if note is not None else None
    if message:
        raise ValidationFailed(f"note is not acceptable: {message}", fields={"note": [message]})


def place_initial(item: Item, quantity: Any, *, actor: User | None) -> InventoryLog:
    """A new item's first stock at its home location, in the caller's transaction, with its ledger row."""
    level = StockLevel(item_id=item.id, location_id=item.location_id, quantity=quantity)
    db.session.add(level)
    item.quantity = quantity
    entry = record(
        item, LogAction.CREATE, actor, location_id=item.location_id, before=0, after=quantity, note="Item created"
    )
    db.session.flush()
    counters.note_movement(item, 0, [(item.id, item.location_id, None, 0, quantity)])
    return entry


def place_initial_many(created: list[Item], *, actor: User | None) -> None:
    """New items' first stock at their homes, with their ledger rows, in the caller's transaction:
    one multi-row INSERT per table and no ORM objects (an import's batch). The location figures
    of the new stock are noted here (the flush that does it for ORM rows never sees these)."""
    now = utcnow()
    connection = db.session.connection()  # Core: the ORM's bulk layer adds nothing here
    connection.execute(
        _LEVELS.insert(),
        [{"item_id": i.id, "location_id": i.location_id, "quantity": i.quantity, "updated_at": now} for i in created],
    )
    connection.execute(
        _LEDGER.insert(),
        [
            ledger_row(
                i.id,
                LogAction.CREATE,
                actor,
                location_id=i.location_id,
                before=0,
                after=i.quantity,
                note="Item created",
                now=now,
            )
            for i in created
        ],
    )
    counters.note_new_stock(
        [(i.id, i.location_id, i.quantity, i.price, i.low_stock_threshold) for i in created if i.quantity > 0]
    )


# --- The SQL: built once; their compiled forms are cached like any statement's.

_LEVELS, _ITEMS, _LEDGER = StockLevel.__table__, Item.__table__, InventoryLog.__table__
_LEDGER_COLUMNS = tuple(column.name for column in _LEDGER.columns if column.name != "id")


def _set_quantity(table: sa.Table, id_param: str, quantity_param: str) -> sa.Update:
    """UPDATE table SET quantity = :quantity_param, updated_at = :now WHERE id = :id_param
    (a stock level or an item; the parameters named so that none is one of the table's columns)."""
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam(id_param))
        .values(
            quantity=sa.bindparam(quantity_param, type_=table.c.quantity.type),
            updated_at=sa.bindparam("now", type_=table.c.updated_at.type),
        )
    )


_SET_LEVEL = _set_quantity(_LEVELS, "level_id", "new_quantity")
_SET_ITEM = _set_quantity(_ITEMS, "item_id", "new_quantity")
# Several rows (a transfer's two) go as one INSERT, their ids in the rows' order.
_ADD_LEDGER = _LEDGER.insert().returning(_LEDGER.c.id, sort_by_parameter_order=True)
# PostgreSQL, a movement at one place: WITH (UPDATE the level), (UPDATE the item) INSERT the
# ledger row RETURNING its id. No parameter is named like a column: in a statement with UPDATEs,
# SQLAlchemy would add it to their SET; the ledger's go as `row_<column>`.
_MOVEMENT_AT_ONE_PLACE = (
    _LEDGER.insert()
    .values({name: sa.bindparam(f"row_{name}", type_=_LEDGER.c[name].type) for name in _LEDGER_COLUMNS})
    .add_cte(_set_quantity(_LEVELS, "level_id_", "level_quantity").cte("level_change"))
    .add_cte(_set_quantity(_ITEMS, "item_id_", "total").cte("item_total"))
    .returning(_LEDGER.c.id)
)
# A lot item's movement at one place (issue 27): the same, with the lot's level as a third CTE.
_LOT_LEVELS = LotLevel.__table__
_SET_LOT_LEVEL = (
    sa.update(_LOT_LEVELS)
    .where(_LOT_LEVELS.c.id == sa.bindparam("lot_level_id_"))
    .values(quantity=sa.bindparam("lot_quantity", type_=_LOT_LEVELS.c.quantity.type))
)
_LOT_MOVEMENT_AT_ONE_PLACE = _MOVEMENT_AT_ONE_PLACE.add_cte(_SET_LOT_LEVEL.cte("lot_level_change"))


def _write(
    item_id: int,
    total: Any,
    now: Any,
    levels: list[tuple[int, Any]],
    rows: list[dict],
    lot_levels: list[tuple[int, Any]],
) -> list[int]:
    """Set the levels' quantities (level id, quantity each), the lot levels' (the same) and the item's
    total, add the ledger rows; the rows' ids, in order. On PostgreSQL one statement does it all for
    a movement at one place (a round trip and a parse saved on the busiest write); else up to four."""
    connection = db.session.connection()
    if len(levels) == 1 and len(lot_levels) <= 1 and connection.dialect.name == "postgresql":
        (level_id, quantity), row = levels[0], rows[0]
        params = {f"row_{name}": value for name, value in row.items()}
        params.update(level_id_=level_id, level_quantity=quantity, item_id_=item_id, total=total, now=now)
        if not lot_levels:
            return [connection.execute(_MOVEMENT_AT_ONE_PLACE, params).scalar_one()]
        params.update(lot_level_id_=lot_levels[0][0], lot_quantity=lot_levels[0][1])
        return [connection.execute(_LOT_MOVEMENT_AT_ONE_PLACE, params).scalar_one()]
    if lot_levels:
        connection.execute(_SET_LOT_LEVEL, [{"lot_level_id_": lid, "lot_quantity": q} for lid, q in lot_levels])
    connection.execute(_SET_LEVEL, [{"level_id": lid, "new_quantity": q, "now": now} for lid, q in levels])
    connection.execute(_SET_ITEM, {"item_id": item_id, "new_quantity": total, "now": now})
    return connection.execute(_ADD_LEDGER, rows).scalars().all()


# --- The ORM in step: the loaded objects take what the SQL wrote as their committed state, so no
# flush writes them again and no reload is needed for the answer. A rolled-back savepoint must then
# expire them (the ORM only expires what it flushed itself), so they are read again as they are.

_WRITTEN = "objects_written_by_stock_core"


def _as_committed(item: Item, total: Any, levels: list[tuple[StockLevel, Any]], now: Any) -> None:
    for level, quantity in levels:
        set_committed_value(level, "quantity", quantity)
        set_committed_value(level, "updated_at", now)
    set_committed_value(item, "quantity", total)
    set_committed_value(item, "updated_at", now)
    uow.tag(db.session(), _WRITTEN, [item, *(level for level, _q in levels)])


def _expire_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """after_soft_rollback: expire what a rolled-back savepoint's movements wrote (a whole rollback
    expires everything itself)."""
    dropped = uow.drop_rolled_back(session, _WRITTEN, previous)
    if previous.parent is not None:
        for objects in dropped:
            for obj in objects:
                if obj in session:
                    session.expire(obj)


def _end(session: Session, transaction: SessionTransaction) -> None:
    uow.forget_at_end(session, _WRITTEN, transaction)


def init_app(_app: Any = None) -> None:
    """Keep the ORM in step across savepoint rollbacks (installed once per process)."""
    if not event.contains(Session, "after_soft_rollback", _expire_rolled_back):
        event.listen(Session, "after_soft_rollback", _expire_rolled_back)
        event.listen(Session, "after_transaction_end", _end)
