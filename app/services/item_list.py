"""The inventory list: its filters, its sort columns, the two plans for a location's subtree and
the totals the maintained figures answer. Reads only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from app.errors import ValidationFailed
from app.extensions import db
from app.models import Category, Item, Location, StockLevel
from app.models.base import normalise
from app.models.location import subtree_upper
from app.services import counters, location_counters, locations
from app.services.pagination import Page, decode_cursor, encode_cursor, paginate_rows

SORT_COLUMNS = {
    "name": Item.name,
    "sku": Item.sku,
    "quantity": Item.quantity,
    "updated_at": Item.updated_at,
    "price": Item.price,
    "low_stock_threshold": Item.low_stock_threshold,
    "unit": Item.unit,
    # By name, not id, so the list reads alphabetically (items without one sort first).
    "category": sa.select(Category.name).where(Category.id == Item.category_id).scalar_subquery(),
    "location": sa.select(Location.path).where(Location.id == Item.location_id).scalar_subquery(),
}


def item_filters(
    *,
    search: str | None = None,
    category_id: int | None = None,
    location_id: int | None = None,
    cascade: bool = True,
    min_quantity: int | None = None,
    max_quantity: int | None = None,
    below_threshold: bool | None = None,
    walk_sort_index: bool = False,
) -> list:
    # NOT is_deleted (not "IS false"): PostgreSQL matches it to the partial indexes' predicate.
    conditions: list = [sa.not_(Item.is_deleted)]
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(sa.or_(Item.name.ilike(pattern, escape="\\"), Item.sku.ilike(pattern, escape="\\")))
    if category_id is not None:
        conditions.append(Item.category_id == category_id)
    if location_id is not None:
        conditions.append(_at_location(location_id, cascade, walk_sort_index))
    if min_quantity is not None:
        conditions.append(Item.quantity >= min_quantity)
    if max_quantity is not None:
        conditions.append(Item.quantity <= max_quantity)
    if below_threshold:
        conditions.append(Item.quantity < Item.low_stock_threshold)
    return conditions


def _at_location(location_id: int, cascade: bool, walk_sort_index: bool = False) -> sa.ColumnElement:
    """Homed at, or holding stock at, the location or (by default) anywhere in its subtree.

    Two shapes, chosen by how much of the catalogue the subtree holds (list_items decides, from
    its maintained figures):
    - a small subtree (a shelf): `id IN (union of two index lookups)`; the subtree's ids come
      from one range scan of locations.path_key, then items by their home index and stock
      levels by theirs. An OR of the two would make PostgreSQL walk every item.
    - a big one (an aisle, a site: thousands of items): building that set costs seconds, so the
      list walks its sort index instead and probes each item (home in the subtree, or a stock
      level there, by the item's own index), stopping after a page. The probe is fenced
      (OFFSET 0) so PostgreSQL cannot turn it back into a hashed set of the whole subtree.
    """
    location = db.session.get(Location, location_id)
    if cascade and location is not None:
        places = lambda column: locations.in_subtree(column, location)  # noqa: E731
        if walk_sort_index:
            held = (
                sa.select(sa.literal(1))
                .select_from(StockLevel)
                .join(Location, Location.id == StockLevel.location_id)
                .where(
                    StockLevel.item_id == Item.id,
                    StockLevel.quantity > 0,
                    Location.path_key >= location.path_key,
                    Location.path_key < subtree_upper(location.path_key),
                )
                .offset(0)
            )
            return sa.or_(places(Item.location_id), held.exists())
    else:
        places = lambda column: column == location_id  # noqa: E731
    home = sa.orm.aliased(Item)  # not correlated with the outer items
    homed = sa.select(home.id).where(places(home.location_id))
    held = sa.select(StockLevel.item_id).where(places(StockLevel.location_id), StockLevel.quantity > 0)
    return Item.id.in_(sa.union(homed, held).scalar_subquery())


# A subtree holding at least this share of the active items is listed by walking the sort index:
# a page of 50 then probes about 50 / share items (5,000 at 1%, ~20 ms), while collecting the
# subtree's items costs about 10 us each (~100 ms at 10,000).
WALK_SHARE = 0.01


def _subtree(filters: dict[str, Any]) -> tuple[Location, int, bool] | None:
    """For a list filtered on a live location's subtree: (the location, items placed there, walk
    the sort index?). Holding the location keeps it in the session for the filter."""
    location = locations.live_location(filters.get("location_id")) if filters.get("cascade", True) else None
    if location is None:
        return None
    placed, active = location_counters.placed_share(location.id)
    # SQLite (the embedded default, small catalogues) always collects the set.
    walk = db.session.get_bind().dialect.name == "postgresql" and placed >= WALK_SHARE * max(active, 1)
    return location, placed, walk


# Sorts on a plain column of items can be paged by keyset (a cursor); the category and location
# sorts are subqueries (and may be NULL): offset pages only.
KEYSET_SORTS = frozenset(name for name, column in SORT_COLUMNS.items() if isinstance(column, InstrumentedAttribute))


def list_items(
    *,
    page: int = 1,
    per_page: int = 20,
    sort_by: str = "name",
    order: str = "asc",
    cursor: str | None = None,
    **filters: Any,
) -> Page:
    """One page of active items matching the filters, with the exact total count; from a
    `cursor` (a previous answer's next_cursor, with the same filters and sort) instead of a page
    number, the page after it. The Page's next_cursor leads on. Raises ValidationFailed (cursor)."""
    after, page = _position(cursor, sort_by, order, page) if cursor else (None, page)
    subtree = _subtree(filters)
    conditions = item_filters(**filters, walk_sort_index=subtree is not None and subtree[2])
    found = paginate_rows(
        Item,
        conditions,
        SORT_COLUMNS[sort_by],
        descending=order == "desc",
        total=_total(conditions, filters, subtree[1] if subtree else None),
        page=page,
        per_page=per_page,
        after=after,
    )
    if found.next_key is not None and sort_by in KEYSET_SORTS:
        value = found.next_key[0]
        found.next_cursor = encode_cursor(
            {
                "sort": sort_by,
                "order": order,
                "page": page + 1,
                "value": value.isoformat() if isinstance(value, datetime) else str(value),
                "id": found.next_key[1],
            }
        )
    return found


def _position(cursor: str, sort_by: str, order: str, page: int) -> tuple[tuple, int]:
    """((sort value, id) to start after, the page number it leads to) from a cursor made by
    list_items for this sort. Raises ValidationFailed."""
    try:
        position = decode_cursor(cursor)
        if (position.get("sort"), position.get("order")) != (sort_by, order) or sort_by not in KEYSET_SORTS:
            raise ValueError("another sort")
        column = SORT_COLUMNS[sort_by]
        raw, item_id, number = position["value"], position["id"], position["page"]
        if not (isinstance(raw, str) and type(item_id) is int and type(number) is int and number >= 2):
            raise ValueError("malformed")
        kind = getattr(column.type, "impl", column.type).python_type  # Quantity decorates NUMERIC
        value = datetime.fromisoformat(raw) if kind is datetime else kind(raw)
        if kind is Decimal and not value.is_finite():
            raise ValueError("not a number")
    except (ValueError, KeyError, ArithmeticError, TypeError) as exc:
        raise ValidationFailed(
            "That cursor is not one this list gave for this sort: start again from page 1.",
            fields={"cursor": ["Not a cursor of this list."]},
        ) from exc
    return (value, item_id), number


def quantities_at(item_ids: list[int], location_id: int, *, cascade: bool = True) -> dict[int, Decimal | int]:
    """Each item's quantity at a location and (by default) everywhere below it, 0 where it has
    none: what a list filtered on that location shows next to the total (the filter's own rule)."""
    location = db.session.get(Location, location_id)
    if not item_ids or location is None:
        return {}
    here = locations.in_subtree(StockLevel.location_id, location) if cascade else StockLevel.location_id == location_id
    rows = db.session.execute(
        sa.select(StockLevel.item_id, sa.func.sum(StockLevel.quantity))
        .where(StockLevel.item_id.in_(item_ids), here)
        .group_by(StockLevel.item_id)
    ).all()
    found = {item_id: normalise(Decimal(total)) for item_id, total in rows}
    return {item_id: found.get(item_id, 0) for item_id in item_ids}


def _total(conditions: list, filters: dict[str, Any], placed: int | None = None) -> int | sa.Select:
    """The maintained counters answer "all", "one category", "low stock" and "in a location's
    subtree" (`placed`, when the list is filtered on one) totals; others are counted."""
    given = {name for name, value in filters.items() if value not in (None, "", False) and name != "cascade"}
    if given <= {"category_id", "below_threshold"}:
        return counters.active_count(
            category_id=filters.get("category_id"), low_stock=bool(filters.get("below_threshold"))
        )
    if given == {"location_id"} and placed is not None:
        return placed
    return sa.select(sa.func.count(Item.id)).where(*conditions)
