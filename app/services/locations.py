"""The location tree: create, rename, move and archive locations; subtree queries and totals.

Locations are a materialized path (see app.models.location): a subtree is every location
whose `path_key` lies in one key range, an index range scan on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import events
from app.errors import DuplicateValue, InUse, ValidationFailed
from app.extensions import db
from app.models import Item, Location, StockLevel
from app.models.base import utcnow
from app.models.location import SEPARATOR, subtree_upper
from app.services import location_counters, location_recount
from app.services.lookup import lock_or_404, not_found
from app.services.uow import take_write_lock, unit_of_work

FIELDS = ("name", "description", "address", "parent_id", "is_structural", "count_frequency_days")


@dataclass
class Totals:
    """What a subtree holds: distinct active items with stock, and the units of them."""

    items: int = 0
    units: Decimal | int = 0


def in_subtree(column: sa.ColumnElement, location: Location) -> sa.ColumnElement:
    """`column` (a location id) names `location` or one of its descendants."""
    ids = sa.select(Location.id).where(
        Location.path_key >= location.path_key, Location.path_key < subtree_upper(location.path_key)
    )
    return column.in_(ids.scalar_subquery())


def get_location(location_id: int) -> Location:
    """A live location. Raises NotFound (archived counts as gone)."""
    location = live_location(location_id)
    if location is None:
        raise not_found("Location", location_id)
    return location


def live_location(location_id: int | None) -> Location | None:
    """The location, or None when there is none by that id or it is archived: the one test of "a live location"."""
    location = db.session.get(Location, location_id) if location_id is not None else None
    return location if location is not None and location.deleted_at is None else None


def require_live_location(location_id: int, field: str = "location_id", *, holds_stock: bool = False) -> Location:
    """A live location named by input field `field`. Raises ValidationFailed (on that field);
    with `holds_stock`, also when the location is structural (it cannot hold stock)."""
    location = live_location(location_id)
    if location is None:
        raise ValidationFailed("Unknown location.", fields={field: [f"Location {location_id} does not exist."]})
    if holds_stock:
        check_holds_stock(location, field)
    return location


def list_locations(*, parent_id: int | None = None, roots_only: bool = False, search: str | None = None) -> list:
    """Live locations in path order with their number of active items placed there (exactly).

    `parent_id` gives one location's children, `roots_only` the roots; `search` matches any
    part of the path ("shelf 03" finds every bin on that shelf). Items are counted only for
    the locations returned (by the location indexes), not for the whole tree; one statement.
    """
    conditions = [Location.deleted_at.is_(None)]
    narrowed = roots_only or parent_id is not None or bool(search)
    if roots_only:
        conditions.append(Location.parent_id.is_(None))
    elif parent_id is not None:
        conditions.append(Location.parent_id == parent_id)
    if search:
        conditions.append(Location.path.ilike(_contains(search), escape="\\"))
    ids = sa.select(Location.id).where(*conditions) if narrowed else None
    placements = _placements(ids).subquery()
    counts = (
        sa.select(placements.c.location_id, sa.func.count().label("n")).group_by(placements.c.location_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Location, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.location_id == Location.id)
        .where(*conditions)
        .order_by(Location.path)
    ).all()
    return [(location, int(count)) for location, count in rows]


def _placement_counts(ids: list[int] | None) -> dict[int, int]:
    placements = _placements(ids).subquery()
    grouped = sa.select(placements.c.location_id, sa.func.count()).group_by(placements.c.location_id)
    return {loc_id: int(n) for loc_id, n in db.session.execute(grouped).all()}


def location_paths(*, holding_stock: bool = False) -> dict[int, str]:
    """Live location id -> full path, in path order (for selectors and labels).

    `holding_stock` leaves out structural locations (they cannot hold stock).
    """
    query = sa.select(Location.id, Location.path).where(Location.deleted_at.is_(None)).order_by(Location.path)
    if holding_stock:
        query = query.where(sa.not_(Location.is_structural))
    return dict(db.session.execute(query).all())


# Beyond this many live locations a filter does not list them all in the page (10,000 bins are
# 700 KB of options): it lists the top two levels and the chosen one, and finds the rest as
# people type (filter_choices, matching_paths).
INLINE_CHOICES = 400


def filter_choices(selected_id: int | None = None) -> tuple[dict[int, str], bool]:
    """(id -> path, complete?) for a location filter: every live location when there are at
    most INLINE_CHOICES, else the roots and their children plus `selected_id`."""
    live = sa.select(Location.id, Location.path).where(Location.deleted_at.is_(None)).order_by(Location.path)
    rows = db.session.execute(live.limit(INLINE_CHOICES + 1)).all()
    if len(rows) <= INLINE_CHOICES:
        return dict(rows), True
    top = Location.depth <= 1
    if selected_id is not None:
        top = sa.or_(top, Location.id == selected_id)
    return dict(db.session.execute(live.where(top)).all()), False


def paths_of(location_ids: set[int | None] | list[int | None]) -> dict[int, str]:
    """id -> path of these locations only (what a page of rows shows), archived ones included."""
    wanted = sorted({i for i in location_ids if i is not None})
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(Location.id, Location.path).where(Location.id.in_(wanted))).all())


def matching_paths(
    query: str, limit: int = 50, *, holding_stock: bool = False, within: Location | None = None
) -> list[tuple[int, str]]:
    """Live locations whose path holds every word of `query`, by path (at most `limit`); with
    `holding_stock`, only those that can hold stock (not structural); with `within`, only that
    location and what is inside it."""
    words = [w for w in query.split() if w][:8]
    conditions = [Location.deleted_at.is_(None)] + [Location.path.ilike(_contains(w), escape="\\") for w in words]
    if holding_stock:
        conditions.append(sa.not_(Location.is_structural))
    if within is not None:
        conditions += [Location.path_key >= within.path_key, Location.path_key < subtree_upper(within.path_key)]
    query_ = sa.select(Location.id, Location.path).where(*conditions).order_by(Location.path).limit(limit)
    return [(loc_id, path) for loc_id, path in db.session.execute(query_).all()]


def location_item_count(location_id: int) -> int:
    """Active items homed at, or holding stock at, exactly this location."""
    return _placement_counts([location_id]).get(location_id, 0)


def subtree_totals(location: Location) -> Totals:
    """Distinct active items with stock somewhere in the subtree, and their units (maintained figures)."""
    items, _placed, units = location_counters.subtree(location.id)
    return Totals(items=items, units=units)


def ancestors(location: Location) -> list[Location]:
    """The locations above `location`, root first (for breadcrumbs)."""
    ids = [int(part) for part in location.path_key.strip("/").split("/")[:-1]]
    if not ids:
        return []
    found = {loc.id: loc for loc in db.session.execute(sa.select(Location).where(Location.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]


def children(location_id: int | None) -> list[Location]:
    """The live children of a location (the roots for None), by name."""
    parent = Location.parent_id.is_(None) if location_id is None else Location.parent_id == location_id
    return list(
        db.session.execute(
            sa.select(Location).where(parent, Location.deleted_at.is_(None)).order_by(Location.name)
        ).scalars()
    )


def create_location(data: dict[str, Any]) -> Location:
    """Raises DuplicateValue (a sibling has the name), ValidationFailed (unknown parent)."""
    with unit_of_work():
        _lock_tree()
        parent = _parent(data.get("parent_id"))
        _check_name_free(data["name"], data.get("parent_id"))
        location = Location(**{k: v for k, v in data.items() if k in FIELDS})
        location.is_structural = bool(data.get("is_structural", False))
        db.session.add(location)
        _flush_or_duplicate(data["name"])
        _place(location, parent)
    return location


def update_location(location_id: int, data: dict[str, Any]) -> Location:
    """Rename, describe or move a location (with its whole subtree).

    Raises NotFound, DuplicateValue, ValidationFailed (a move under itself or one of its
    descendants, an unknown parent), InUse (made structural while it holds stock).
    """
    with unit_of_work():
        _lock_tree()
        if "parent_id" in data and data["parent_id"] != get_location(location_id).parent_id:
            _hold_stock_still()  # before any row lock of ours: a movement may wait on one of them
        location = _lock(location_id)
        parent_id = data.get("parent_id", location.parent_id)
        name = data.get("name", location.name)
        parent = _parent(parent_id)
        if parent is not None and parent.path_key.startswith(location.path_key):
            raise ValidationFailed(
                "A location cannot move under itself or one of its own sub-locations.",
                fields={"parent_id": [f"{parent.path} is inside {location.path}."]},
            )
        if (name.lower(), parent_id) != (location.name.lower(), location.parent_id):
            _check_name_free(name, parent_id, exclude_id=location.id)
        if data.get("is_structural") and not location.is_structural:
            held = location_item_count(location.id)
            if held:
                raise InUse(
                    f"{location.path} is home to, or holds stock of, {held} item(s); it cannot become structural.",
                    fields={"is_structural": ["It holds stock."]},
                    item_count=held,
                )
        moved = parent_id != location.parent_id or name != location.name
        reparented = parent_id != location.parent_id
        old_key = location.path_key
        for key in FIELDS:
            if key in data:
                setattr(location, key, data[key])
        if moved:
            _place(location, parent)
        _flush_or_duplicate(name)
        if reparented:  # the subtree's figures now count toward other locations above it
            above = set(location_counters.ancestor_ids(old_key)) | set(
                location_counters.ancestor_ids(location.path_key)
            )
            stale = location_recount.queue(above - {location.id})
            events.publish("location_figures_stale", {"location_ids": stale})
    return location


def _hold_stock_still() -> None:
    """A move changes the path every movement below it reads to note its figures' change: the
    movements already running (each holds its item's row) finish first, and new ones wait until
    the move commits, so none notes a change along the old path after it. EXCLUSIVE mode, as
    SHARE mode would let through a movement that locked its rows (and read the path) but had not
    written yet. Held only while the paths are rewritten: the figures are counted again after the
    commit (app/services/location_recount.py)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE items, stock_levels IN EXCLUSIVE MODE"))


def delete_location(location_id: int) -> None:
    """Archive a location. Raises NotFound, InUse (live sub-locations; home of, or holding, active items)."""
    with unit_of_work():
        location = _lock(location_id)
        kids = children(location.id)
        if kids:
            names = ", ".join(kid.name for kid in kids[:5]) + ("…" if len(kids) > 5 else "")
            raise InUse(
                f"{location.path} still has {len(kids)} sub-location(s) ({names}); move or archive them first.",
                child_count=len(kids),
            )
        count = location_item_count(location.id)
        if count:
            raise InUse(
                f"{location.path} still holds {count} active item(s); move or delete them first.",
                item_count=count,
            )
        location.deleted_at = utcnow()


def check_holds_stock(location: Location, field_name: str = "location_id") -> None:
    """Raises ValidationFailed when `location` is structural (it cannot hold stock)."""
    if location.is_structural:
        raise ValidationFailed(
            f"{location.path} is a structural location: it groups others and cannot hold stock.",
            fields={field_name: [f"{location.path} is structural; choose one of the locations inside it."]},
        )


def _placements(ids: list[int] | sa.Select | None = None) -> sa.Select:
    """(location_id, item_id) for every active item at a location (of `ids`, if given):
    homed there, or holding stock there."""
    homed = sa.select(Item.location_id.label("location_id"), Item.id.label("item_id")).where(sa.not_(Item.is_deleted))
    held = (
        sa.select(StockLevel.location_id, StockLevel.item_id)
        .join(Item, Item.id == StockLevel.item_id)
        .where(StockLevel.quantity > 0, sa.not_(Item.is_deleted))
    )
    if ids is not None:
        homed = homed.where(Item.location_id.in_(ids))
        held = held.where(StockLevel.location_id.in_(ids))
    return sa.union(homed, held)


# Any constant: the key of the transaction-scoped advisory lock that serialises tree changes.
_TREE_LOCK = 13_0005


def _lock_tree() -> None:
    """Serialise changes to the tree's shape: two concurrent moves could otherwise each pass
    the cycle check (A under B, B under A) or rewrite paths from a parent's stale path."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_TREE_LOCK)))
    else:
        take_write_lock(Location.__table__, 0)


def _lock(location_id: int) -> Location:
    return lock_or_404(Location, location_id, where=[Location.deleted_at.is_(None)])


def _parent(parent_id: int | None) -> Location | None:
    if parent_id is None:
        return None
    parent = live_location(parent_id)
    if parent is None:
        raise ValidationFailed(
            "The parent location does not exist.", fields={"parent_id": [f"Location {parent_id} does not exist."]}
        )
    return parent


def _place(location: Location, parent: Location | None) -> None:
    """Set the location's key, path and depth under `parent`, and rewrite its whole subtree."""
    old_key = location.path_key
    location.path_key = (parent.path_key if parent else "/") + f"{location.id}/"
    location.path = (parent.path + SEPARATOR if parent else "") + location.name
    location.depth = parent.depth + 1 if parent else 0
    if not old_key:
        return
    below = db.session.execute(
        sa.select(Location)
        .where(Location.path_key > old_key, Location.path_key < subtree_upper(old_key))
        .order_by(Location.path_key)
    ).scalars()
    paths = {location.id: location}
    for node in below:  # parents come before their children in key order
        above = paths[node.parent_id]
        node.path_key = above.path_key + f"{node.id}/"
        node.path = above.path + SEPARATOR + node.name
        node.depth = above.depth + 1
        paths[node.id] = node


def _check_name_free(name: str, parent_id: int | None, exclude_id: int | None = None) -> None:
    parent = Location.parent_id.is_(None) if parent_id is None else Location.parent_id == parent_id
    query = sa.select(Location.id).where(
        parent, sa.func.lower(Location.name) == name.lower(), Location.deleted_at.is_(None)
    )
    if exclude_id is not None:
        query = query.where(Location.id != exclude_id)
    if db.session.execute(query).first():
        where = "at the top level" if parent_id is None else "under that parent"
        raise DuplicateValue(
            f"A location named {name!r} already exists {where}.", fields={"name": ["Already in use here."]}
        )


def _flush_or_duplicate(name: str) -> None:
    """A sibling created by a concurrent request between our check and our write: the same 409."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        if "uq_locations_sibling_name" not in str(exc.orig):
            raise
        raise DuplicateValue(
            f"A location named {name!r} already exists there.", fields={"name": ["Already in use here."]}
        ) from None


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
