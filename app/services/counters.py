"""Maintained counters: per-category item count, units, value and low-stock count.

The dashboard and the unfiltered list totals read these instead of scanning every
item. They are kept exact by the unit of work itself: after each flush the changed
Item rows' before/after contributions are noted on the session, and just before the
outermost commit the net changes are written with one upsert, in key order (so two
transactions never wait on each other's counter rows in opposite orders; the counter
locks are the last ones a transaction takes and are held only until its commit).
A rolled-back savepoint or transaction drops what it noted.

Every ORM change to an Item is covered (services, seeders, tests). Bulk SQL that
changes active items' quantity, price, threshold, category or deletion bypasses the
ORM and must call rebuild() afterwards (the benchmark loader does).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.models import CategoryStat, Item
from app.models.base import normalise
from app.services import location_counters

STRIPES = 16
UNCATEGORISED = 0
_TRACKED = ("quantity", "price", "low_stock_threshold", "category_id", "is_deleted")
_PENDING = "pending_counter_deltas"
CATEGORY, LOCATION = "category_stats", "location_stats"  # the tables, in the order their rows are written
Delta = list  # [item_count, total_units, total_value, low_stock_count]


def totals() -> dict[str, Any]:
    """Active items, units, value and low-stock items over every category."""
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(CategoryStat.item_count), 0),
            sa.func.coalesce(sa.func.sum(CategoryStat.total_units), 0),
            sa.func.coalesce(sa.func.sum(CategoryStat.total_value), 0),
            sa.func.coalesce(sa.func.sum(CategoryStat.low_stock_count), 0),
        )
    ).one()
    return {
        "items": int(row[0]),
        "units": normalise(Decimal(row[1])),
        "value": Decimal(row[2]),
        "low_stock": int(row[3]),
    }


_BY_CATEGORY = sa.select(
    CategoryStat.category_key,
    sa.func.sum(CategoryStat.item_count),
    sa.func.sum(CategoryStat.total_units),
    sa.func.sum(CategoryStat.total_value),
    sa.func.sum(CategoryStat.low_stock_count),
).group_by(CategoryStat.category_key)


def category_figures(connection: Any) -> list:
    """(category key, items, units, value, low-stock items) per category key, read on `connection`
    (the metrics collector reads on a connection of its own, outside any request)."""
    return connection.execute(_BY_CATEGORY).all()


def by_category() -> list[tuple[int, int, int, Decimal, int]]:
    """(category_key, items, units, value, low-stock items) for categories holding active items."""
    rows = db.session.execute(_BY_CATEGORY.having(sa.func.sum(CategoryStat.item_count) > 0)).all()
    return [(int(k), int(n), normalise(Decimal(u)), Decimal(v), int(low)) for k, n, u, v, low in rows]


def active_count(*, category_id: int | None = None, low_stock: bool = False) -> int:
    """Active items (optionally of one category, optionally only the low-stock ones)."""
    column = CategoryStat.low_stock_count if low_stock else CategoryStat.item_count
    query = sa.select(sa.func.coalesce(sa.func.sum(column), 0))
    if category_id is not None:
        query = query.where(CategoryStat.category_key == category_id)
    return int(db.session.execute(query).scalar_one())


def rebuild() -> None:
    """Recompute every counter from the items table (after bulk SQL loads), in the caller's transaction."""
    db.session.flush()
    db.session.execute(sa.delete(CategoryStat))
    db.session.execute(sa.text(REBUILD_SQL))
    location_counters.rebuild()


REBUILD_SQL = f"""
INSERT INTO category_stats (category_key, stripe, item_count, total_units, total_value, low_stock_count)
SELECT COALESCE(category_id, {UNCATEGORISED}), id % {STRIPES}, count(*), COALESCE(sum(quantity), 0),
       COALESCE(sum(quantity * price), 0), count(*) FILTER (WHERE quantity < low_stock_threshold)
FROM items WHERE NOT is_deleted
GROUP BY COALESCE(category_id, {UNCATEGORISED}), id % {STRIPES}
"""


def _contribution(values: dict[str, Any] | None) -> tuple[tuple[int, int], Delta] | None:
    if values is None or values["is_deleted"]:
        return None
    quantity = values["quantity"] or 0
    price = Decimal(values["price"] or 0)
    key = (values["category_id"] or UNCATEGORISED, values["id"] % STRIPES)
    return key, [1, quantity, quantity * price, 1 if quantity < (values["low_stock_threshold"] or 0) else 0]


def _values(item: Item, *, before: bool) -> dict[str, Any]:
    if not before:  # what the item holds now: no history needed (and none built, for a batch of new items)
        return {"id": item.id, **{name: getattr(item, name) for name in _TRACKED}}
    state = inspect(item)
    values: dict[str, Any] = {"id": item.id}
    for name in _TRACKED:
        history = state.attrs[name].history
        if before and history.deleted:
            values[name] = history.deleted[0]
        elif before and history.added and not history.unchanged:
            values[name] = None  # was never set before this flush (a new row's default)
        else:
            values[name] = getattr(item, name)
    return values


def _changed(item: Item) -> bool:
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in _TRACKED)


def _note(session: Session, flush_context: Any) -> None:
    """after_flush: record the net contribution change of every inserted, changed or deleted item,
    to its category's figures and to those of every location above its places."""
    deltas: dict[tuple[int, int], Delta] = defaultdict(lambda: [0, 0, Decimal(0), 0])
    with session.no_autoflush:
        for item in session.new:
            if isinstance(item, Item):
                _add(deltas, _contribution(_values(item, before=False)), 1)
        for item in session.dirty:
            if isinstance(item, Item) and _changed(item):
                _add(deltas, _contribution(_values(item, before=True)), -1)
                _add(deltas, _contribution(_values(item, before=False)), 1)
        for item in session.deleted:
            if isinstance(item, Item):
                _add(deltas, _contribution(_values(item, before=True)), -1)
    noted = {(CATEGORY, k): d for k, d in deltas.items() if any(d)}
    noted.update({(LOCATION, k): d for k, d in location_counters.note(session).items() if any(d)})
    _pend(session, noted)


def note_new_stock(levels: list[tuple[int, int, Any]]) -> None:
    """Note the location figures of new items' first stock written without ORM objects
    ((item id, location id, quantity) each; the items themselves were flushed as ORM rows)."""
    session = db.session()
    _pend(session, {(LOCATION, k): d for k, d in location_counters.new_stock(session, levels).items() if any(d)})


def note_movement(item: Item, quantity_before: Any, levels: list[tuple[int, int, str | None, Any, Any]]) -> None:
    """Note the figures' change of a movement the stock core wrote with Core statements: the
    item's total went from `quantity_before` to `item.quantity` (nothing else of it changed),
    and each level (item id, location id, path key, quantity before, now) as given."""
    session = db.session()
    now = {"id": item.id, **{name: getattr(item, name) for name in _TRACKED}}
    deltas: dict[tuple[int, int], Delta] = defaultdict(lambda: [0, 0, Decimal(0), 0])
    _add(deltas, _contribution({**now, "quantity": quantity_before}), -1)
    _add(deltas, _contribution(now), 1)
    noted = {(CATEGORY, k): d for k, d in deltas.items() if any(d)}
    noted.update({(LOCATION, k): d for k, d in location_counters.levels_changed(session, levels).items() if any(d)})
    _pend(session, noted)


def _pend(session: Session, noted: dict) -> None:
    """Keep the deltas until the outermost commit writes them, tagged with the (nested)
    transaction that made them so that a rolled-back savepoint drops its own."""
    if noted:
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_PENDING, []).append((transaction, noted))


def _add(deltas: dict, contribution: tuple | None, sign: int) -> None:
    if contribution is not None:
        key, values = contribution
        for i, value in enumerate(values):
            deltas[key][i] += sign * value


def _write(session: Session) -> None:
    """before_commit (outermost only): flush, then write the net deltas, category rows then
    location rows, each in key order (so two transactions take counter rows in one order)."""
    if session.in_nested_transaction():
        return
    session.flush()
    noted = session.info.pop(_PENDING, [])
    merged: dict[tuple[str, tuple], list] = {}
    for _transaction, deltas in noted:
        for key, values in deltas.items():
            total = merged.setdefault(key, [0] * len(values))
            for i, value in enumerate(values):
                total[i] += value
    dialect = session.get_bind().dialect.name
    categories = [
        {
            "category_key": k[0],
            "stripe": k[1],
            "item_count": d[0],
            "total_units": d[1],
            "total_value": d[2],
            "low_stock_count": d[3],
        }
        for (table, k), d in sorted(merged.items())
        if table == CATEGORY and any(d)
    ]
    places = [
        {"location_id": k[0], "stripe": k[1], "items": d[0], "placed": d[1], "units": d[2]}
        for (table, k), d in sorted(merged.items())
        if table == LOCATION and any(d)
    ]
    if categories and places and dialect == "postgresql":  # a movement's usual pair: one round trip
        session.connection().exec_driver_sql(_both_statement(len(categories), len(places)), _both(categories, places))
        return
    if categories:
        session.execute(_upsert(dialect), categories)
    if places:
        session.execute(location_counters.upsert(dialect), places)


_CATEGORY_COLUMNS = ("category_key", "stripe", "item_count", "total_units", "total_value", "low_stock_count")
_PLACE_COLUMNS = ("location_id", "stripe", "items", "placed", "units")
_BOTH: dict[tuple[int, int], str] = {}


def _both(categories: list[dict], places: list[dict]) -> dict[str, Any]:
    params = {f"c{i}_{name}": row[name] for i, row in enumerate(categories) for name in _CATEGORY_COLUMNS}
    params.update({f"p{i}_{name}": row[name] for i, row in enumerate(places) for name in _PLACE_COLUMNS})
    return params


def _both_statement(categories: int, places: int) -> str:
    """PostgreSQL: both upserts in one statement, still category rows first, then location rows
    (each in the order given): the location rows are filtered on a count of the category
    upsert's rows, which runs it to completion before the first location row is written.
    Placeholders only (the values go as parameters); one text per pair of row counts."""
    if (categories, places) not in _BOTH:
        category_rows = ", ".join(
            "(" + ", ".join(f"%(c{i}_{name})s" for name in _CATEGORY_COLUMNS) + ")" for i in range(categories)
        )
        place_rows = ", ".join(
            "("
            + ", ".join(f"%(p{i}_{name})s::{'numeric' if name == 'units' else 'bigint'}" for name in _PLACE_COLUMNS)
            + ")"
            for i in range(places)
        )
        _BOTH[(categories, places)] = f"""
WITH category_rows AS (
    INSERT INTO category_stats ({", ".join(_CATEGORY_COLUMNS)}) VALUES {category_rows}
    ON CONFLICT (category_key, stripe) DO UPDATE SET
        item_count = category_stats.item_count + excluded.item_count,
        total_units = category_stats.total_units + excluded.total_units,
        total_value = category_stats.total_value + excluded.total_value,
        low_stock_count = category_stats.low_stock_count + excluded.low_stock_count
    RETURNING 1
)
INSERT INTO location_stats ({", ".join(_PLACE_COLUMNS)})
SELECT * FROM (VALUES {place_rows}) AS place_rows ({", ".join(_PLACE_COLUMNS)})
WHERE (SELECT count(*) FROM category_rows) >= 0
ON CONFLICT (location_id, stripe) DO UPDATE SET
    items = location_stats.items + excluded.items,
    placed = location_stats.placed + excluded.placed,
    units = location_stats.units + excluded.units
"""
    return _BOTH[(categories, places)]


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE adding the deltas, built once per dialect (and so
    compiled once); the rows go as parameters, written in the order given."""
    if dialect not in _UPSERTS:
        table = CategoryStat.__table__
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[table.c.category_key, table.c.stripe],
            set_={
                name: table.c[name] + insert.excluded[name]
                for name in ("item_count", "total_units", "total_value", "low_stock_count")
            },
        ).returning(
            table.c.stripe  # with RETURNING the rows go as one multi-row INSERT, not one round trip each
        )
    return _UPSERTS[dialect]


def _forget(session: Session, previous: SessionTransaction) -> None:
    """after_soft_rollback: drop what the rolled-back transaction (and savepoints inside it) noted."""
    if previous.parent is None:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [entry for entry in session.info.get(_PENDING, []) if not _inside(entry[0], previous)]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None and transaction is not outer:
        transaction = transaction.parent
    return transaction is not None


def _end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _wants_old_values(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


_listening = False


def init_app(app: Flask) -> None:
    """Install the session listeners once per process."""
    global _listening
    if _listening:
        return
    for name in _TRACKED:
        # Load the old value even when the attribute was expired, so the delta is exact.
        event.listen(getattr(Item, name), "set", _wants_old_values, active_history=True, retval=True)
    location_counters.listen(_wants_old_values)
    event.listen(Session, "after_flush", _note)
    event.listen(Session, "before_commit", _write)
    event.listen(Session, "after_soft_rollback", _forget)
    event.listen(Session, "after_transaction_end", _end)
    _listening = True
