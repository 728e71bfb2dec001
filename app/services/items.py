"""Item catalogue: create, edit, soft-delete, and the list/detail queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app import events
from app.errors import DuplicateValue, PermissionDenied, StaleVersion, ValidationFailed
from app.extensions import db
from app.models import Category, Item, Location, LogAction, StockLevel, User
from app.models.base import normalise, utcnow
from app.models.location import subtree_upper
from app.permissions import STAFF_EDITABLE_ITEM_FIELDS, Permission, can
from app.services import barcodes, counters, location_counters, locations, low_stock, stock
from app.services.logs import list_logs
from app.services.lookup import get_or_404
from app.services.pagination import Page, paginate_rows
from app.services.quantities import check_places, places
from app.services.uow import unit_of_work

EDITABLE_FIELDS = (
    "sku",
    "name",
    "description",
    "category_id",
    "location_id",
    "unit",
    "price",
    "low_stock_threshold",
    "decimals",
    "reorder_point",
    "reorder_quantity",
    "max_stock",
)
REORDER_FIELDS = ("reorder_point", "reorder_quantity", "max_stock")
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


def get_item(item_id: int) -> Item:
    """An active item. Raises NotFound."""
    return get_or_404(Item, item_id, where=[Item.is_deleted.is_(False)])


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


def list_items(*, page: int = 1, per_page: int = 20, sort_by: str = "name", order: str = "asc", **filters: Any) -> Page:
    """One page of active items matching the filters, with the exact total count."""
    subtree = _subtree(filters)
    conditions = item_filters(**filters, walk_sort_index=subtree is not None and subtree[2])
    return paginate_rows(
        Item,
        conditions,
        SORT_COLUMNS[sort_by],
        descending=order == "desc",
        total=_total(conditions, filters, subtree[1] if subtree else None),
        page=page,
        per_page=per_page,
    )


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


def create_item(data: dict[str, Any], *, actor: User) -> Item:
    """Create an item, placing an optional initial quantity at its home location.

    Raises DuplicateValue (SKU), ValidationFailed (unknown category or location).
    """
    quantity = data.pop("quantity", 0) or 0
    codes = barcodes.normalise_codes(data.pop("barcodes", None) or [])
    with unit_of_work():
        _check_references(data)
        _check_sku_free(data["sku"])
        item = Item(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS}, quantity=0, version=1)
        item.decimals = data.get("decimals", 0)
        check_places(item, quantity)
        check_places(item, item.low_stock_threshold or 0, "low_stock_threshold")
        for name in REORDER_FIELDS:
            if data.get(name) is not None:
                check_places(item, data[name], name)
        db.session.add(item)
        db.session.flush()
        stock.place_initial(item, quantity, actor=actor)
        barcodes.replace_codes(item, codes)
        events.publish("item_created", item_event_payload(item, actor))
        # Created already below its threshold: that is an alert too.
        low_stock.after_change(item, was_low=False, actor=actor)
    return item


def active_by_sku(skus: list[str]) -> sa.Select:
    """Active items with these SKUs (in any letter case), looked up one by one in the SKU index.

    `sku IN (...)` with hundreds of values lets PostgreSQL pick the trigram index and recheck
    every candidate (30 s for 1,000 SKUs on a fresh table); joining the list as a table makes
    it one index probe per SKU.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        lowered = [sku.lower() for sku in skus]
        return sa.select(Item).where(sa.func.lower(Item.sku).in_(lowered), sa.not_(Item.is_deleted))
    wanted = (
        sa.func.unnest(sa.bindparam("skus", [sku.lower() for sku in skus], type_=postgresql.ARRAY(sa.Text)))
        .table_valued("sku")
        .render_derived(name="wanted")
    )
    return sa.select(Item).join(wanted, sa.func.lower(Item.sku) == wanted.c.sku).where(sa.not_(Item.is_deleted))


def create_items(rows: list[dict[str, Any]], *, actor: User) -> list[Item]:
    """Create many items at once (an import's batch): the same rules and ledger rows as create_item,
    written with one multi-row INSERT per table instead of several statements per item.

    Raises DuplicateValue (a SKU or barcode in use or given twice), ValidationFailed (unknown category or
    location, too many decimal places, a barcode that breaks the rules).
    """
    if not rows:
        return []
    codes = [barcodes.normalise_codes(d.get("barcodes") or []) for d in rows]
    with unit_of_work():
        for data in {(d.get("category_id"), d["location_id"]): d for d in rows}.values():
            _check_references(data)
        skus = [d["sku"] for d in rows]
        lowered = [sku.lower() for sku in skus]
        taken = db.session.execute(active_by_sku(skus)).scalars()
        duplicate = next((item.sku for item in taken), None) or next(
            (sku for sku in skus if lowered.count(sku.lower()) > 1), None
        )
        if duplicate is not None:
            raise DuplicateValue(
                f"SKU {duplicate!r} is already used by another item.", fields={"sku": ["Already in use."]}
            )
        created = []
        for data in rows:
            quantity = data.get("quantity", 0) or 0
            item = Item(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS}, quantity=quantity, version=1)
            item.decimals = data.get("decimals", 0)
            check_places(item, quantity)
            check_places(item, item.low_stock_threshold or 0, "low_stock_threshold")
            created.append(item)
        db.session.add_all(created)
        db.session.flush()  # one INSERT ... RETURNING for the lot
        barcodes.place_new(list(zip(created, codes, strict=True)))
        stock.place_initial_many(created, actor=actor)
        for item in created:
            events.publish("item_created", item_event_payload(item, actor))
            low_stock.after_change(item, was_low=False, actor=actor)  # created below its threshold: an alert
    return created


def update_item(
    item_id: int, changes: dict[str, Any], *, actor: User, expected_version: int | None, partial: bool
) -> Item:
    """Edit an item's fields (never its stock).

    Raises StaleVersion, PermissionDenied (a staff member editing manager-only
    fields), DuplicateValue, ValidationFailed, NotFound.
    """
    if not can(actor, Permission.ITEMS_EDIT):
        forbidden = sorted(set(changes) - STAFF_EDITABLE_ITEM_FIELDS)
        if forbidden or not partial:
            raise PermissionDenied(
                "Staff may change only description, home location, unit and threshold.",
                fields={name: ["Managers only."] for name in forbidden},
            )
    if expected_version is None:
        raise ValidationFailed(
            "Send the version you read (in the body or an If-Match header).",
            fields={"version": ["Send the version number you read with the item."]},
        )
    with unit_of_work():
        item = stock.lock_item(item_id)
        if item.version != expected_version:
            raise StaleVersion(
                f"Item {item.sku} was changed by someone else (version {item.version}, you sent {expected_version}); reload and retry.",
                current_version=item.version,
            )
        _check_references(changes)
        was_low = item.is_low_stock
        if "sku" in changes and changes["sku"].lower() != item.sku.lower():
            _check_sku_free(changes["sku"], exclude_id=item.id)
        _check_decimals(item, changes)
        changed = {}
        if "barcodes" in changes:
            codes = barcodes.normalise_codes(changes.pop("barcodes") or [])
            if barcodes.replace_codes(item, codes):
                changed["barcodes"] = " ".join(codes) or "none"
        for name, value in changes.items():
            if name in EDITABLE_FIELDS and getattr(item, name) != value:
                changed[name] = value
                setattr(item, name, value)
        if changed:
            item.version += 1
            item.updated_at = utcnow()
            note = "Changed " + ", ".join(f"{k}={_show(v)}" for k, v in sorted(changed.items()))
            entry = stock.record(
                item, LogAction.UPDATE, actor, location_id=None, before=item.quantity, after=item.quantity, note=note
            )
            db.session.flush()
            low_stock.after_change(item, was_low=was_low, actor=actor, entry=entry)
            events.publish("item_updated", item_event_payload(item, actor, changed=sorted(changed)))
    return item


def delete_item(item_id: int, *, actor: User) -> None:
    """Soft-delete an item; its history stays readable. Raises NotFound."""
    with unit_of_work():
        item = stock.lock_item(item_id)
        was_low = item.is_low_stock
        item.is_deleted = True
        item.deleted_at = utcnow()
        item.version += 1
        entry = stock.record(
            item,
            LogAction.DELETE,
            actor,
            location_id=None,
            before=item.quantity,
            after=item.quantity,
            note="Item deleted",
        )
        db.session.flush()
        low_stock.after_change(item, was_low=was_low, actor=actor, entry=entry)
        events.publish("item_deleted", item_event_payload(item, actor))


def item_history(item_id: int, *, page: int, per_page: int) -> Page:
    """The ledger of an item, deleted or not, newest first. Raises NotFound."""
    get_or_404(Item, item_id)
    return list_logs(item_id=item_id, page=page, per_page=per_page)


def item_event_payload(item: Item, actor: User | None, **extra: Any) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "sku": item.sku,
        "name": item.name,
        "quantity": item.quantity,
        "version": item.version,
        "user_email": actor.email if actor is not None else None,
        "timestamp": utcnow().isoformat(),
        **extra,
    }


def _check_sku_free(sku: str, exclude_id: int | None = None) -> None:
    # Case-insensitive, as the unique index on lower(sku) is (migration 0006_issue16_sku_ci).
    query = sa.select(Item.id).where(sa.func.lower(Item.sku) == sku.lower(), Item.is_deleted.is_(False))
    if exclude_id is not None:
        query = query.where(Item.id != exclude_id)
    if db.session.execute(query.limit(1)).first() is not None:
        raise DuplicateValue(
            f"SKU {sku!r} is already used by another item (letter case does not matter).",
            fields={"sku": ["Another item already uses this SKU (letter case does not matter)."]},
        )


def _check_references(data: dict[str, Any]) -> None:
    errors = {}
    if data.get("category_id") is not None and db.session.get(Category, data["category_id"]) is None:
        errors["category_id"] = [f"Category {data['category_id']} does not exist."]
    if "location_id" in data and locations.live_location(data["location_id"]) is None:
        errors["location_id"] = [f"Location {data['location_id']} does not exist."]
    if errors:
        raise ValidationFailed("The request refers to things that do not exist.", fields=errors)
    if data.get("location_id") is not None:
        locations.check_holds_stock(db.session.get(Location, data["location_id"]))


def _check_decimals(item: Item, changes: dict[str, Any]) -> None:
    """Fewer decimal places only when every quantity already recorded still fits: nothing is rounded."""
    probe = Item(sku=item.sku, unit=changes.get("unit", item.unit), decimals=changes.get("decimals", item.decimals))
    check_places(probe, changes.get("low_stock_threshold", item.low_stock_threshold), "low_stock_threshold")
    for name in REORDER_FIELDS:
        if changes.get(name, getattr(item, name)) is not None:
            check_places(probe, changes.get(name, getattr(item, name)), name)
    if probe.decimals < item.decimals:
        levels = db.session.execute(sa.select(StockLevel.quantity).where(StockLevel.item_id == item.id)).scalars()
        for quantity in levels:
            if places(quantity) > probe.decimals:
                raise ValidationFailed(
                    f"{item.sku} holds {quantity} {item.unit} somewhere; it cannot take fewer decimal places.",
                    fields={"decimals": [f"Stock of {quantity} needs more places."]},
                )


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
