"""Maintained subtree figures of every location: distinct items with stock, items placed, units,
their value and the low-stock items among them.

A location's figures cover its whole subtree, so one movement changes the rows of the
location it touches and of every location above it (a site, an aisle, a shelf, a bin:
four rows, each in the item's stripe). Reading a subtree's totals then reads its stripes
(16 small rows) instead of summing every stock level below it, which at a million items
is the difference between milliseconds and seconds for a site.

"Distinct items" is not a sum: an item in two bins of one aisle counts once for the aisle.
So a noted change is worked out per item, from all of its places before and after
(an item has a handful of stock levels, read in one statement): for each location above
any of them, is the item present there before, after, and how many units. The item row
lock that every movement takes makes that read consistent.

The writers note their changes through app/services/counters.py (nothing is inferred from
flushes), which writes them at commit with the
category figures (same rules: key order, rolled back with the transaction). A move of a
location changes which locations are above its subtree: app/services/location_recount.py counts
the locations above its old and its new place again, after the move, while movements go on.
The figures also hold each subtree's stock value and its low-stock items (the site-narrowed
dashboard), so a change of an item's price or threshold is noted like a change of its home.
Bulk SQL that changes stock levels, items' homes, prices, thresholds or deletion must call
counters.rebuild().
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import CategoryStat, Item, Location, LocationStat, StockLevel
from app.models.base import normalise

STRIPES = 16
Delta = list  # [items with stock, items placed, units, value, low-stock items with stock]
WIDTH = 5


def ancestor_ids(path_key: str) -> list[int]:
    """The ids on a location's path, the root first and the location itself last ("/1/5/12/")."""
    return [int(part) for part in path_key.strip("/").split("/") if part]


def subtree(location_id: int) -> tuple[int, int, Decimal | int]:
    """(items with stock, items placed, units) in the location's subtree."""
    items, placed, units = db.session.execute(_SUBTREE, {"location_id": location_id}).one()
    return int(items), int(placed), normalise(Decimal(units))


def site_figures(location_id: int) -> tuple[int, Decimal | int, Decimal, int]:
    """(items with stock, units, value, low-stock items with stock) in the location's subtree."""
    items, units, value, low = db.session.execute(_SITE, {"location_id": location_id}).one()
    return int(items), normalise(Decimal(units)), Decimal(value), int(low)


def placed_share(location_id: int) -> tuple[int, int]:
    """(items placed in the location's subtree, active items everywhere), in one statement."""
    placed, active = db.session.execute(_PLACED_SHARE, {"location_id": location_id}).one()
    return int(placed), int(active)


def every_subtree() -> dict[int, tuple[int, int, Decimal | int]]:
    """location id -> (items with stock, items placed, units), for locations that hold or held anything."""
    return _figures()


def subtrees(location_ids: Iterable[int]) -> dict[int, tuple[int, int, Decimal | int]]:
    """subtree() of several locations in one statement (a page of the tree, a location's children);
    a location that never held anything is absent."""
    ids = sorted(set(location_ids))
    return _figures(LocationStat.location_id.in_(ids)) if ids else {}


def _figures(*where: sa.ColumnElement[bool]) -> dict[int, tuple[int, int, Decimal | int]]:
    rows = db.session.execute(
        sa.select(
            LocationStat.location_id,
            sa.func.sum(LocationStat.items),
            sa.func.sum(LocationStat.placed),
            sa.func.sum(LocationStat.units),
        )
        .where(*where)
        .group_by(LocationStat.location_id)
    ).all()
    return {loc_id: (int(i), int(p), normalise(Decimal(u))) for loc_id, i, p, u in rows}


_SUBTREE = sa.select(
    sa.func.coalesce(sa.func.sum(LocationStat.items), 0),
    sa.func.coalesce(sa.func.sum(LocationStat.placed), 0),
    sa.func.coalesce(sa.func.sum(LocationStat.units), 0),
).where(LocationStat.location_id == sa.bindparam("location_id"))


_SITE = sa.select(
    *(
        sa.func.coalesce(sa.func.sum(column), 0)
        for column in (LocationStat.items, LocationStat.units, LocationStat.value, LocationStat.low)
    )
).where(LocationStat.location_id == sa.bindparam("location_id"))


_PLACED_SHARE = sa.select(
    sa.select(sa.func.coalesce(sa.func.sum(LocationStat.placed), 0))
    .where(LocationStat.location_id == sa.bindparam("location_id"))
    .scalar_subquery(),
    sa.select(sa.func.coalesce(sa.func.sum(CategoryStat.item_count), 0)).scalar_subquery(),
)


# Every place of every active item (its stock levels, and its home with no units), counted
# toward each location whose key range holds the place's key: the figures from scratch.
_FROM_SCRATCH = f"""
INSERT INTO location_stats (location_id, stripe, items, placed, units, value, low)
SELECT a.id, p.item_id % {STRIPES},
       count(DISTINCT CASE WHEN p.quantity > 0 THEN p.item_id END), count(DISTINCT p.item_id),
       COALESCE(sum(p.quantity), 0), COALESCE(sum(p.quantity * p.price), 0),
       count(DISTINCT CASE WHEN p.quantity > 0 AND p.low THEN p.item_id END)
FROM (
    SELECT sl.item_id, sl.location_id, sl.quantity, i.price, i.quantity < i.low_stock_threshold AS low
    FROM stock_levels sl JOIN items i ON i.id = sl.item_id WHERE NOT i.is_deleted AND sl.quantity > 0
    UNION ALL
    SELECT i.id, i.location_id, 0, i.price, false FROM items i WHERE NOT i.is_deleted AND i.location_id IS NOT NULL
) p
JOIN locations l ON l.id = p.location_id
JOIN locations a ON l.path_key >= a.path_key AND l.path_key < substr(a.path_key, 1, length(a.path_key) - 1) || '0'
{{where}}
GROUP BY a.id, p.item_id % {STRIPES}
"""


REBUILD_SQL = _FROM_SCRATCH.format(where="")


def rebuild() -> None:
    """Recompute every location's figures (after bulk SQL), in the caller's transaction."""
    db.session.execute(sa.delete(LocationStat))
    db.session.execute(sa.text(REBUILD_SQL))


_UPSERTS: dict[str, Any] = {}


def upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE adding the deltas (built once per dialect)."""
    if dialect not in _UPSERTS:
        table = LocationStat.__table__
        insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[table.c.location_id, table.c.stripe],
            set_={name: table.c[name] + insert.excluded[name] for name in ("items", "placed", "units", "value", "low")},
        ).returning(
            table.c.stripe  # with RETURNING the rows go as one multi-row INSERT, not one round trip each
        )
    return _UPSERTS[dialect]


# After a flush: each affected item's home and its levels, with their locations' keys (one statement).
_HOME, _PLACE = sa.orm.aliased(Location), sa.orm.aliased(Location)
_PLACES = (
    sa.select(
        Item.id,
        Item.is_deleted,
        Item.location_id,
        Item.price,
        Item.low_stock_threshold,
        Item.quantity,
        _HOME.path_key,
        StockLevel.location_id,
        StockLevel.quantity,
        _PLACE.path_key,
    )
    .outerjoin(_HOME, _HOME.id == Item.location_id)
    .outerjoin(StockLevel, StockLevel.item_id == Item.id)
    .outerjoin(_PLACE, _PLACE.id == StockLevel.location_id)
    .where(Item.id.in_(sa.bindparam("ids", expanding=True)))
)
_KEYS = sa.select(Location.id, Location.path_key).where(Location.id.in_(sa.bindparam("ids", expanding=True)))


def items_changed(session: Session, before: dict[int, tuple]) -> dict[tuple[int, int], Delta]:
    """The figures' change of items whose deletion, home, price or threshold changed (already
    flushed): {item id: (deleted, home, price, threshold) before}; their levels unchanged.
    {(location_id, stripe): delta}."""
    return _work_out(session, dict(before), {})


def levels_changed(
    session: Session, changed: list[tuple[int, int, str | None, Any, Any]], item: Item, total_before: Any
) -> dict:
    """The figures' change of levels of `item` written by Core statements (the stock service's
    movements): (item id, location id, its path key, quantity before, quantity now) each, already
    in the database; its total went from `total_before` to item.quantity, its home, deletion and
    price unchanged. {(location_id, stripe): delta}."""
    threshold = item.low_stock_threshold
    if (total_before < threshold) == (item.quantity < threshold):  # its low-stock count unchanged
        quick = _units_only([(i, key, before, after) for i, _loc, key, before, after in changed], item.price)
        if quick is not None:
            return quick
    return _work_out(session, {}, {(item_id, loc): before for item_id, loc, _key, before, _after in changed})


def _work_out(
    session: Session,
    before_items: dict[int, tuple | None],
    before_levels: dict[tuple[int, int], Any],
) -> dict[tuple[int, int], Delta]:
    """The change from every place of the items before (the database now, with the given items'
    state and levels' quantities as they were) to every place now: one statement, two with a
    changed home."""
    ids = sorted(set(before_items) | {item_id for item_id, _ in before_levels})
    now: dict[int, tuple] = {}  # item id -> (deleted, home, {location id: quantity}, price, low)
    keys: dict[int, str] = {}
    with session.no_autoflush:
        for item_id, deleted, home, price, threshold, total, home_key, location_id, quantity, key in session.execute(
            _PLACES, {"ids": ids}
        ):
            levels = now.setdefault(item_id, (deleted, home, {}, price, total < threshold, threshold, total))[2]
            if home is not None:
                keys[home] = home_key
            if location_id is not None:
                levels[location_id] = quantity
                keys[location_id] = key
        then: dict[int, tuple] = {}
        for item_id in ids:
            deleted, home, levels, price, _low, threshold, total = now.get(item_id, (True, None, {}, 0, False, 0, 0))
            if item_id in before_items:
                if before_items[item_id] is None:
                    continue  # created by this flush: nothing before
                deleted, home, price, threshold = before_items[item_id]
            old = dict(levels)
            for (level_item, location_id), quantity in before_levels.items():
                if level_item == item_id:
                    total += quantity - levels.get(location_id, 0)
                    old[location_id] = quantity
            then[item_id] = (deleted, home, old, price, total < threshold)
        homes_before = {state[1] for state in then.values() if state[1] is not None and state[1] not in keys}
        if homes_before:  # an item moved to another home: where was the old one
            keys.update(session.execute(_KEYS, {"ids": sorted(homes_before)}).all())
    deltas: dict[tuple[int, int], Delta] = defaultdict(_zero)
    for item_id in ids:
        stripe = item_id % STRIPES
        for sign, state in ((-1, then.get(item_id)), (1, now.get(item_id))):
            for location_id, figures in _presence(state, keys).items():
                delta = deltas[(location_id, stripe)]
                for i, value in enumerate(figures):
                    delta[i] += sign * value
    return deltas


def _zero() -> Delta:
    return [0, 0, Decimal(0), Decimal(0), 0]


def _units_only(changed: list[tuple[int, str | None, Any, Any]], price: Any) -> dict | None:
    """The common movement: levels the stock service locked (their keys known) that held stock
    before and still do, of items whose home and deletion did not change. Which locations count
    each item is unchanged, so only units (and their value) move, along each level's path: no
    statement needed (the caller checked that the item's low-stock state did not change).
    `changed`: (item id, the level's path key, quantity before, after) each. None when that is
    not the case (the full work-out then)."""
    deltas: dict[tuple[int, int], Delta] = {}
    for item_id, key, before, after in changed:
        if key is None or not before or before <= 0 or not after or after <= 0:
            return None
        for above in ancestor_ids(key):
            delta = deltas.setdefault((above, item_id % STRIPES), _zero())
            delta[2] += after - before
            delta[3] += (after - before) * price
    return deltas


def new_items(session: Session, items: list[Item]) -> dict[tuple[int, int], Delta]:
    """New items with no stock yet (flushed): each counts as placed at its home's path."""
    homes = {item.id: item.location_id for item in items if not item.is_deleted}
    keys = _keys_of(session, set(homes.values()))
    deltas: dict[tuple[int, int], Delta] = {}
    for item_id, home in homes.items():
        for above in ancestor_ids(keys.get(home, "")):
            deltas.setdefault((above, item_id % STRIPES), _zero())[1] += 1
    return deltas


def new_stock(session: Session, levels: list[tuple[int, int, Any, Any, Any]]) -> dict[tuple[int, int], Delta]:
    """The figures' change when new items (already noted as placed at their homes) get their first
    stock at those homes: (item id, location id, quantity > 0, price, threshold) each."""
    keys = _keys_of(session, {level[1] for level in levels})
    deltas: dict[tuple[int, int], Delta] = {}
    for item_id, location_id, quantity, price, threshold in levels:
        for above in ancestor_ids(keys.get(location_id, "")):
            delta = deltas.setdefault((above, item_id % STRIPES), _zero())
            delta[0] += 1
            delta[2] += quantity
            delta[3] += quantity * price
            delta[4] += 1 if quantity < threshold else 0
    return deltas


def _keys_of(session: Session, location_ids: set) -> dict[int, str]:
    found = {i for i in location_ids if i is not None}
    return dict(session.execute(_KEYS, {"ids": sorted(found)}).all()) if found else {}


def _presence(state: tuple | None, keys: dict[int, str]) -> dict[int, tuple]:
    """Where one item counts: location id -> (1 if it has stock there, 1 (placed), its units there,
    their value, 1 if it has stock there and is low). `state`: (deleted, home, levels, price, low)."""
    if state is None or state[0]:
        return {}
    _deleted, home, levels, price, low = state[:5]
    found: dict[int, list] = {}
    for location_id, quantity in levels.items():
        if quantity and quantity > 0 and location_id in keys:
            for above in ancestor_ids(keys[location_id]):
                entry = found.setdefault(above, [0, 1, 0, 0, 0])
                entry[0] = 1
                entry[2] += quantity
                entry[3] += quantity * price
                entry[4] = 1 if low else 0
    if home is not None and home in keys:
        for above in ancestor_ids(keys[home]):
            found.setdefault(above, [0, 1, 0, 0, 0])
    return {location_id: tuple(entry) for location_id, entry in found.items()}
