"""Every change of a stock quantity happens here: restock, withdraw, transfer, adjust.

Each public function is one transaction: lock the item row (then stock rows in
location order), check the rules, write the new levels, the item's total and the
ledger entries, raise or resolve the low-stock alert (app/services/low_stock.py), and
commit once. Events are queued and leave only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app import events
from app.errors import InsufficientStock, NotFound, ValidationFailed
from app.extensions import db
from app.limits import MAX_QUANTITY, SAME_PLACE_MESSAGE
from app.models import Alert, InventoryLog, Item, Location, LogAction, StockLevel, User
from app.models.base import utcnow
from app.services import counters, low_stock
from app.services.locations import check_holds_stock, require_live_location
from app.services.quantities import check_places, show
from app.services.uow import locked, request_id, take_write_lock, unit_of_work


@dataclass
class Movement:
    """What a movement did: the item after it, its ledger rows, and any alert raised."""

    item: Item
    action: str
    logs: list[InventoryLog] = field(default_factory=list)
    alert: Alert | None = None
    stock: list[dict[str, Any]] = field(default_factory=list)  # the item's levels after it, read under its lock


def restock(
    item_id: int,
    quantity: int,
    *,
    actor: User,
    location_id: int | None = None,
    note: str | None = None,
) -> Movement:
    """Add units at a location (the item's home by default). Raises NotFound, ValidationFailed."""

    def work() -> Movement:
        item = lock_item(item_id)
        check_places(item, quantity)
        held = _ItemLevels.lock(item)
        level = held.get(location_id or item.location_id)
        return held.answer(_apply(item, {level.location_id: (level, quantity)}, LogAction.RESTOCK, actor, note))

    return _run(work)


def withdraw(
    item_id: int,
    quantity: int,
    *,
    actor: User,
    location_id: int | None = None,
    note: str | None = None,
) -> Movement:
    """Take units from a location (home by default). Raises InsufficientStock, NotFound."""

    def work() -> Movement:
        item = lock_item(item_id)
        check_places(item, quantity)
        held = _ItemLevels.lock(item)
        level = held.get(location_id or item.location_id)
        _ensure_available(item, level, quantity)
        return held.answer(_apply(item, {level.location_id: (level, -quantity)}, LogAction.WITHDRAW, actor, note))

    return _run(work)


def check_different_places(from_location_id: int | None, to_location_id: int | None) -> None:
    """A move goes somewhere else. Raises ValidationFailed naming to_location_id."""
    if from_location_id == to_location_id:
        raise ValidationFailed(
            "Stock cannot be moved to the place it comes from.", fields={"to_location_id": [SAME_PLACE_MESSAGE]}
        )


def transfer(
    item_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: int,
    *,
    actor: User,
    note: str | None = None,
) -> Movement:
    """Move units between two locations. Raises InsufficientStock, NotFound, ValidationFailed."""
    check_different_places(from_location_id, to_location_id)

    def work() -> Movement:
        item = lock_item(item_id)
        check_places(item, quantity)
        fields = {from_location_id: "from_location_id", to_location_id: "to_location_id"}
        held = _ItemLevels.lock(item)
        levels = {loc: held.get(loc, fields[loc]) for loc in sorted((from_location_id, to_location_id))}
        _ensure_available(item, levels[from_location_id], quantity)
        changes = {
            from_location_id: (levels[from_location_id], -quantity),
            to_location_id: (levels[to_location_id], quantity),
        }
        return held.answer(_apply(item, changes, LogAction.TRANSFER, actor, note))

    return _run(work)


def adjust(
    item_id: int,
    location_id: int,
    counted_quantity: int,
    *,
    actor: User,
    note: str | None = None,
) -> Movement:
    """Set a location's level to a counted quantity (a stock-take). Raises NotFound."""

    def work() -> Movement:
        item = lock_item(item_id)
        check_places(item, counted_quantity, "counted_quantity")
        held = _ItemLevels.lock(item)
        level = held.get(location_id)
        changes = {location_id: (level, counted_quantity - level.quantity)}
        return held.answer(_apply(item, changes, LogAction.ADJUST, actor, note))

    return _run(work)


def apply_lines(
    lines: list[tuple[int, int, int | None, int]],
    action: str,
    *,
    actor: User,
    note: str | None = None,
    stock_request_id: int | None = None,
) -> list[Movement]:
    """Apply several movements in the caller's transaction, all or nothing.

    Each line is (item_id, from_location_id, to_location_id or None, quantity):
    a withdrawal when there is no destination, else a transfer. Locks are taken in
    item-id order so two callers can never deadlock. Raises InsufficientStock
    naming every short line (in `extra["shortages"]`), NotFound. Ledger rows carry
    `stock_request_id` when given.
    """
    for _item_id, src, dst, _qty in lines:
        if dst is not None:
            check_different_places(src, dst)  # else the destination's +qty would replace the source's -qty
    items = {item_id: lock_item(item_id) for item_id in sorted({line[0] for line in lines})}
    needed: dict[tuple[int, int], int] = {}
    for item_id, src, _dst, qty in lines:
        check_places(items[item_id], qty)
        needed[(item_id, src)] = needed.get((item_id, src), 0) + qty
    levels: dict[tuple[int, int], StockLevel] = {}
    for item_id, src, dst, _qty in sorted(lines, key=lambda line: line[0]):
        for loc in sorted({src, dst} - {None}):
            if (item_id, loc) not in levels:
                levels[(item_id, loc)] = _lock_level(items[item_id], loc)
    shortages = [
        {
            "item_id": item_id,
            "sku": items[item_id].sku,
            "location_id": src,
            "requested": qty,
            "available": levels[(item_id, src)].quantity,
        }
        for (item_id, src), qty in needed.items()
        if levels[(item_id, src)].quantity < qty
    ]
    if shortages:
        raise InsufficientStock(
            f"Not enough stock for {len(shortages)} line(s); nothing was moved.", shortages=shortages
        )
    movements = []
    for item_id, src, dst, qty in lines:
        changes = {src: (levels[(item_id, src)], -qty)}
        if dst is not None:
            changes[dst] = (levels[(item_id, dst)], qty)
        movements.append(
            _apply(
                items[item_id],
                changes,
                action if dst is None else LogAction.TRANSFER,
                actor,
                note,
                stock_request_id=stock_request_id,
            )
        )
    return movements


def add_lines(
    lines: list[tuple[int, int | None, int]],
    *,
    actor: User,
    note: str | None = None,
    purchase_order_id: int | None = None,
    purchase_order_line_ids: list[int] | None = None,
) -> list[Movement]:
    """Restock several lines in the caller's transaction, all or nothing.

    Each line is (item_id, location_id or None for the item's home, quantity). Locks are
    taken in item-id order, like apply_lines. Raises NotFound, ValidationFailed. Ledger rows
    carry `purchase_order_id` and, per line, `purchase_order_line_ids[i]` when given (a receipt).
    """
    items = {item_id: lock_item(item_id) for item_id in sorted({line[0] for line in lines})}
    order_lines = purchase_order_line_ids or [None] * len(lines)
    movements = []
    for (item_id, location_id, qty), order_line_id in zip(lines, order_lines, strict=True):
        item = items[item_id]
        check_places(item, qty)
        level = _lock_level(item, location_id or item.location_id)
        movements.append(
            _apply(
                item,
                {level.location_id: (level, qty)},
                LogAction.RESTOCK,
                actor,
                note,
                purchase_order_id=purchase_order_id,
                purchase_order_line_id=order_line_id,
            )
        )
    return movements


def count_lines(
    lines: list[tuple[int, int]], location_id: int, *, actor: User, note: str | None = None
) -> list[Movement]:
    """Set counted quantities at one location in the caller's transaction, all or nothing.

    Each line is (item_id, counted quantity); every line is a stock-take (an adjust) of that
    item at `location_id`. Locks in item-id order. Raises NotFound, ValidationFailed.
    """
    items = {item_id: lock_item(item_id) for item_id in sorted({line[0] for line in lines})}
    movements = []
    for item_id, counted in lines:
        item = items[item_id]
        check_places(item, counted, "counted_quantity")
        level = _lock_level(item, location_id)
        changes = {location_id: (level, counted - level.quantity)}
        movements.append(_apply(item, changes, LogAction.ADJUST, actor, note))
    return movements


def apply_count(
    lines: list[tuple[int, int, int, Decimal | int]], *, actor: User, count_id: int, note: str | None = None
) -> list[Movement]:
    """Apply a count's variances as adjust movements in the caller's transaction, all or nothing.

    Each line is (line_id, item_id, location_id, delta): the counted quantity minus the system
    quantity when it was counted, so movements made since then are kept. Locks in item-id
    order, like apply_lines, so an approval and a withdrawal never deadlock. Ledger rows carry
    `count_id`. Raises InsufficientStock naming every line whose level would go below zero
    (`extra["negative"]`), NotFound (a deleted item), ValidationFailed.
    """
    items = {item_id: lock_item(item_id) for item_id in sorted({line[1] for line in lines})}
    ordered = sorted(lines, key=lambda line: (line[1], line[2]))
    levels = {(item_id, loc): _lock_level(items[item_id], loc) for _id, item_id, loc, _delta in ordered}
    negative = [
        {
            "line_id": line_id,
            "item_id": item_id,
            "sku": items[item_id].sku,
            "location_id": loc,
            "location_name": levels[(item_id, loc)].location_name,
            "quantity": levels[(item_id, loc)].quantity,
            "delta": delta,
        }
        for line_id, item_id, loc, delta in ordered
        if levels[(item_id, loc)].quantity + delta < 0
    ]
    if negative:
        named = "; ".join(
            f"line {n['line_id']} ({n['sku']} at {n['location_name']}: {show(n['quantity'])} now, "
            f"adjustment {show(n['delta'])})"
            for n in negative
        )
        raise InsufficientStock(
            f"Approving would leave a negative level (stock left since counting): {named}. Nothing was changed; "
            "send those lines for a recount.",
            negative=negative,
        )
    return [
        _apply(
            items[item_id],
            {loc: (levels[(item_id, loc)], delta)},
            LogAction.ADJUST,
            actor,
            note,
            count_id=count_id,
        )
        for _line_id, item_id, loc, delta in ordered
    ]


def level_quantity(item_id: int, location_id: int) -> Decimal | int:
    """What the system holds of an item at a location right now (0 without a level row); reads only."""
    found = db.session.scalar(
        sa.select(StockLevel.quantity).where(StockLevel.item_id == item_id, StockLevel.location_id == location_id)
    )
    return found if found is not None else 0


# The hot statements, built once: constructing a SELECT costs more than running it on a warm
# connection. Values go in as bound parameters.
_LOCK_ITEM = locked(sa.select(Item).where(Item.id == sa.bindparam("item_id"), Item.is_deleted.is_(False)))
_LOCK_LEVEL = locked(
    sa.select(StockLevel, Location.path, Location.path_key, Location.is_structural)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"), StockLevel.location_id == sa.bindparam("location_id")),
    of=StockLevel,
)
_STOCK_BY_LOCATION = (
    sa.select(StockLevel.location_id, Location.path, StockLevel.quantity)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"))
    .order_by(Location.path)
)


def lock_item(item_id: int) -> Item:
    """Lock an active item's row for the rest of the transaction. Raises NotFound."""
    take_write_lock(Item.__table__, item_id)
    item = db.session.execute(_LOCK_ITEM, {"item_id": item_id}).scalar_one_or_none()
    if item is None:
        raise NotFound(f"Item {item_id} not found.")
    return item


def _lock_level(item: Item, location_id: int, field_name: str = "location_id") -> StockLevel:
    """Lock (or create) the item's level at a location; `level.location_name` (its path) is set for
    events, `level.location_key` (its path key) for the location figures (app/services/location_counters.py).

    Raises ValidationFailed naming `field_name` for an unknown or a structural location.
    """
    found = db.session.execute(_LOCK_LEVEL, {"item_id": item.id, "location_id": location_id}).one_or_none()
    if found is not None:
        level, path, key, structural = found
        if structural:
            check_holds_stock(db.session.get(Location, location_id), field_name)
        level.location_name, level.location_key = path, key
        return level
    location = require_live_location(location_id, field_name, holds_stock=True)
    # Safe without a race: the item row lock serialises every movement of this item.
    level = StockLevel(item_id=item.id, location_id=location_id, quantity=0)
    db.session.add(level)
    db.session.flush()
    level.location_name, level.location_key = location.path, location.path_key
    return level


_LOCK_LEVELS = locked(
    sa.select(StockLevel, Location.path, Location.path_key, Location.is_structural)
    .join(Location, Location.id == StockLevel.location_id)
    .where(StockLevel.item_id == sa.bindparam("item_id"))
    .order_by(Location.path),
    of=StockLevel,
)


@dataclass
class _ItemLevels:
    """Every level of one locked item, locked by one statement, by location path.

    A single movement of an item locks all of its levels at once (a handful of rows, and the
    item's row lock already serialises their changes) so that the answer's stock per location
    needs no second read.
    """

    item: Item
    levels: dict[int, StockLevel]
    in_path_order: bool = True

    @classmethod
    def lock(cls, item: Item) -> _ItemLevels:
        levels = {}
        for level, path, key, structural in db.session.execute(_LOCK_LEVELS, {"item_id": item.id}):
            level.location_name, level.location_key, level.is_structural_place = path, key, structural
            levels[level.location_id] = level
        return cls(item, levels)

    def get(self, location_id: int, field_name: str = "location_id") -> StockLevel:
        """The level at a location, created when the item has none there (see _lock_level)."""
        level = self.levels.get(location_id)
        if level is None:
            level = self.levels[location_id] = _lock_level(self.item, location_id, field_name)
            self.in_path_order = False
        elif level.is_structural_place:
            check_holds_stock(db.session.get(Location, location_id), field_name)
        return level

    def answer(self, movement: Movement) -> Movement:
        """The movement with the item's stock per location after it (read by _run when a level was created)."""
        if self.in_path_order:
            movement.stock = [_stock_entry(loc, lv.location_name, lv.quantity) for loc, lv in self.levels.items()]
        return movement


_ITEM_WITH_STOCK = (
    sa.select(Item, StockLevel.location_id, Location.path, StockLevel.quantity)
    .outerjoin(StockLevel, StockLevel.item_id == Item.id)
    .outerjoin(Location, Location.id == StockLevel.location_id)
    .where(Item.id == sa.bindparam("item_id"), Item.is_deleted.is_(False))
    .order_by(Location.path)
)


def item_with_stock(item_id: int) -> tuple[Item, list[dict[str, Any]]]:
    """An active item and its quantity per location (as stock_by_location), read by one statement.
    Raises NotFound."""
    rows = db.session.execute(_ITEM_WITH_STOCK, {"item_id": item_id}).all()
    if not rows:
        raise NotFound(f"Item {item_id} not found.")
    stock = [_stock_entry(loc_id, name, qty) for _item, loc_id, name, qty in rows if loc_id is not None]
    return rows[0][0], stock


def stock_by_location(item_id: int) -> list[dict[str, Any]]:
    """An item's quantity per location, by location path."""
    rows = db.session.execute(_STOCK_BY_LOCATION, {"item_id": item_id}).all()
    return [_stock_entry(loc_id, name, qty) for loc_id, name, qty in rows]


def _stock_entry(location_id: int, path: str, quantity: Any) -> dict[str, Any]:
    """One location's line of an item's stock (stock_by_location and the answers built like it)."""
    return {"location_id": location_id, "location_name": path, "quantity": quantity}


def _ensure_available(item: Item, level: StockLevel, quantity: int) -> None:
    if level.quantity < quantity:
        raise InsufficientStock(
            f"Only {show(level.quantity)} {item.unit} of {item.sku} available at this location; {show(quantity)} requested.",
            available=level.quantity,
            requested=quantity,
            location_id=level.location_id,
        )


def _apply(
    item: Item,
    changes: dict[int, tuple[StockLevel, int]],
    action: str,
    actor: User,
    note: str | None,
    **refs: int | None,
) -> Movement:
    """Write one movement of a locked item: its levels, its total and its ledger rows.

    The hot path of every movement, so it is written with Core statements built once rather
    than through the ORM's unit of work (a flush and its counter listeners cost more than
    the SQL). The loaded objects take the new values as their committed state (nothing is
    left for a flush to write), and the counter changes are noted explicitly. `refs`: the
    ledger's stock_request_id, purchase_order_id, purchase_order_line_id, count_id.
    """
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
    ids = _write(item.id, total, now, [(level.id, after) for level, _before, after in levels], rows)
    for level, _before, after in levels:
        set_committed_value(level, "quantity", after)
        set_committed_value(level, "updated_at", now)
    set_committed_value(item, "quantity", total)
    set_committed_value(item, "updated_at", now)
    movement.logs = [InventoryLog(id=log_id, **row) for log_id, row in zip(ids, rows, strict=True)]
    counters.note_movement(
        item,
        total_before,
        [(item.id, lv.location_id, lv.location_key, before, after) for lv, before, after in levels],
        written=[item, *(lv for lv, _before, _after in levels)],
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


def _write(item_id: int, total: Any, now: Any, levels: list[tuple[int, Any]], rows: list[dict]) -> list[int]:
    """Set the levels' quantities (level id, quantity each) and the item's total, add the ledger
    rows; the rows' ids, in order. On PostgreSQL one statement does all three for a movement at
    one place (a round trip and a parse saved on the busiest write); else three statements."""
    connection = db.session.connection()
    if len(levels) == 1 and connection.dialect.name == "postgresql":
        (level_id, quantity), row = levels[0], rows[0]
        # No parameter is named like a column: in a statement with UPDATEs, SQLAlchemy would add it
        # to their SET. The ledger's end in _0, which the input guard strips to name the field.
        params = {f"{name}_0": value for name, value in row.items()}
        params.update(level_id_=level_id, level_quantity=quantity, item_id_=item_id, total=total, now=now)
        return [connection.execute(_MOVEMENT_AT_ONE_PLACE, params).scalar_one()]
    connection.execute(_SET_LEVEL, [{"level_id": lid, "new_quantity": q, "now": now} for lid, q in levels])
    connection.execute(_SET_ITEM, {"item_id": item_id, "new_quantity": total, "now": now})
    return connection.execute(_ADD_LEDGER, rows).scalars().all()


_LEDGER_REFS = ("stock_request_id", "purchase_order_id", "purchase_order_line_id", "count_id")
_LEVELS, _ITEMS, _LEDGER = StockLevel.__table__, Item.__table__, InventoryLog.__table__


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
_LEDGER_COLUMNS = tuple(column.name for column in _LEDGER.columns if column.name != "id")
# Several rows (a transfer's two) go as one INSERT, their ids in the rows' order.
_ADD_LEDGER = _LEDGER.insert().returning(_LEDGER.c.id, sort_by_parameter_order=True)
# PostgreSQL, a movement at one place: WITH (UPDATE the level), (UPDATE the item) INSERT the
# ledger row RETURNING its id. Built once; its compiled form is cached like any statement's.
_MOVEMENT_AT_ONE_PLACE = (
    _LEDGER.insert()
    .values({name: sa.bindparam(f"{name}_0", type_=_LEDGER.c[name].type) for name in _LEDGER_COLUMNS})
    .add_cte(_set_quantity(_LEVELS, "level_id_", "level_quantity").cte("level_change"))
    .add_cte(_set_quantity(_ITEMS, "item_id_", "total").cte("item_total"))
    .returning(_LEDGER.c.id)
)


def place_initial(item: Item, quantity: int, *, actor: User | None) -> InventoryLog:
    """A new item's first stock at its home location, in the caller's transaction, with its ledger row."""
    level = StockLevel(item_id=item.id, location_id=item.location_id, quantity=quantity)
    db.session.add(level)
    item.quantity = quantity
    entry = record(
        item, LogAction.CREATE, actor, location_id=item.location_id, before=0, after=quantity, note="Item created"
    )
    db.session.flush()
    return entry


def place_initial_many(created: list[Item], *, actor: User | None) -> None:
    """New items' first stock at their homes, with their ledger rows, in the caller's transaction:
    one multi-row INSERT per table and no ORM objects (an import's batch). The location figures
    of the new stock are noted here (the flush that does it for ORM rows never sees these)."""
    now = utcnow()
    connection = db.session.connection()  # Core: the ORM's bulk layer adds nothing here
    connection.execute(
        StockLevel.__table__.insert(),
        [{"item_id": i.id, "location_id": i.location_id, "quantity": i.quantity, "updated_at": now} for i in created],
    )
    connection.execute(
        InventoryLog.__table__.insert(),
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
    counters.note_new_stock([(i.id, i.location_id, i.quantity) for i in created if i.quantity > 0])


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
    **refs: int | None,
) -> dict[str, Any]:
    """Every column of a ledger row but its id, the one place they are filled in (an ORM row,
    a movement's Core statement, an import's multi-row INSERT). `refs`: the stock_request_id,
    purchase_order_id, purchase_order_line_id and count_id that made it, None when not given."""
    unknown = set(refs) - set(_LEDGER_REFS)
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
        **{name: refs.get(name) for name in _LEDGER_REFS},
        "created_at": now or utcnow(),
    }


def stock_changed_payload(
    item: Item, entry: InventoryLog, actor: User | None, total_before: int, location_name: str | None
) -> dict:
    return {
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


def _run(work: Callable[[], Movement]) -> Movement:
    # keep_loaded: the answer is built from what this transaction wrote, without reloading it.
    with unit_of_work(keep_loaded=True):
        movement = work()
        if not movement.stock:
            movement.stock = stock_by_location(movement.item.id)
        return movement
