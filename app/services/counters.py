"""Maintained counters: per-category item count, units, value and low-stock count.

The dashboard and the unfiltered list totals read these instead of scanning every
item. The few writers of what they count note each change explicitly, after writing it:
- the stock core: `note_movement` (a movement's levels and the item's total), `note_new_stock`
  (an import batch's first levels), and `note_items` for a new item's first stock;
- the items service: `note_items` (an item created, edited or deleted: the `snapshot` taken
  before the change, and the item after it).
tests/test_layout.py fails when another module writes the counted tables. The notes wait on
the session until the outermost commit writes their net changes with one upsert, in key order
(two transactions never wait on each other's counter rows in opposite orders; the counter
locks are the last a transaction takes, held only until its commit). A rolled-back savepoint or
transaction drops what it noted (the three session hooks installed by init_app).

Bulk SQL that changes active items' quantity, price, threshold, category or deletion must call
rebuild() afterwards (the benchmark loader does).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.models import CategoryStat, Item
from app.models.base import normalise
from app.services import location_counters, uow

STRIPES = 16
UNCATEGORISED = 0
_TRACKED = ("quantity", "price", "low_stock_threshold", "category_id", "is_deleted")
# What the location figures count of an item besides its levels, in items_changed's order.
_PLACED = ("is_deleted", "location_id", "price", "low_stock_threshold")
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


def snapshot(item: Item) -> dict[str, Any]:
    """What the figures count of an item as it is now: take it before changing the item, and
    give it to note_items after the change is flushed."""
    return {"id": item.id, **{name: getattr(item, name) for name in _TRACKED}, "location_id": item.location_id}


def note_items(changes: list[tuple[dict[str, Any] | None, Item]]) -> None:
    """Note the figures' change of items written and flushed by the items service: each is (its
    snapshot() before the change, or None for a new item; the item now)."""
    session = db.session()
    deltas: dict[tuple[int, int], Delta] = defaultdict(lambda: [0, 0, Decimal(0), 0])
    moved: dict[int, tuple] = {}  # items whose location figures change: (deleted, home, price, threshold) before
    new: list[Item] = []
    for before, item in changes:
        now = snapshot(item)
        _add(deltas, _contribution(before), -1)
        _add(deltas, _contribution(now), 1)
        if before is None:
            new.append(item)
        elif any(before[name] != now[name] for name in _PLACED):
            moved[item.id] = tuple(before[name] for name in _PLACED)
    noted = {(CATEGORY, k): d for k, d in deltas.items() if any(d)}
    places = location_counters.new_items(session, new) if new else {}
    if moved:
        for key, delta in location_counters.items_changed(session, moved).items():
            total = places.setdefault(key, [0] * location_counters.WIDTH)
            for i, value in enumerate(delta):
                total[i] += value
    noted.update({(LOCATION, k): d for k, d in places.items() if any(d)})
    _pend(session, noted)


def note_new_stock(levels: list[tuple[int, int, Any, Any, Any]]) -> None:
    """Note the location figures of new items' first stock written without ORM objects ((item id,
    location id, quantity, price, threshold) each; the items themselves were flushed as ORM rows)."""
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
    changed = location_counters.levels_changed(session, levels, item, quantity_before)
    noted.update({(LOCATION, k): d for k, d in changed.items() if any(d)})
    _pend(session, noted)


def _pend(session: Session, noted: dict) -> None:
    """Keep the deltas until the outermost commit writes them, tagged with the (nested)
    transaction that made them so that a rolled-back savepoint drops its own."""
    if noted:
        uow.tag(session, _PENDING, noted)


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
        {"location_id": k[0], "stripe": k[1], "items": d[0], "placed": d[1], "units": d[2], "value": d[3], "low": d[4]}
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
_PLACE_COLUMNS = ("location_id", "stripe", "items", "placed", "units", "value", "low")
_CAST = {"units": "numeric", "value": "numeric"}
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
            "(" + ", ".join(f"%(p{i}_{name})s::{_CAST.get(name, 'bigint')}" for name in _PLACE_COLUMNS) + ")"
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
    units = location_stats.units + excluded.units,
    value = location_stats.value + excluded.value,
    low = location_stats.low + excluded.low
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
    uow.drop_rolled_back(session, _PENDING, previous)


def _end(session: Session, transaction: SessionTransaction) -> None:
    uow.forget_at_end(session, _PENDING, transaction)


_listening = False


def init_app(app: Flask) -> None:
    """Install the notes' commit and rollback hooks once per process (nothing is inferred from
    flushes: the writers note what they change)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "before_commit", _write)
    event.listen(Session, "after_soft_rollback", _forget)
    event.listen(Session, "after_transaction_end", _end)
    _listening = True
