"""Item catalogue: create, edit, soft-delete, and the list/detail queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from app import events
from app.errors import DuplicateValue, ItemHasStock, PermissionDenied, StaleVersion, ValidationFailed
from app.extensions import db
from app.models import Category, Item, Location, LogAction, StockLevel, User
from app.models.base import utcnow
from app.permissions import STAFF_EDITABLE_ITEM_FIELDS, Permission, can
from app.services import barcodes, counters, locations, low_stock, stock
from app.services.logs import list_logs
from app.services.lookup import get_or_404
from app.services.pagination import Page
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
    "tracking",
    "shelf_life_days",
    "expiry_required",
)
REORDER_FIELDS = ("reorder_point", "reorder_quantity", "max_stock")
TRACKING_FIELDS = ("tracking", "shelf_life_days", "expiry_required")  # the API's for now (issue 27)


def get_item(item_id: int) -> Item:
    """An active item. Raises NotFound."""
    return get_or_404(Item, item_id, where=[Item.is_deleted.is_(False)])


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
        _check_tracking(item, data.get("tracking", "none"), data.get("decimals", 0), quantity)
        check_places(item, quantity)
        check_places(item, item.low_stock_threshold or 0, "low_stock_threshold")
        for name in REORDER_FIELDS:
            if data.get(name) is not None:
                check_places(item, data[name], name)
        db.session.add(item)
        db.session.flush()
        counters.note_items([(None, item)])
        stock.place_initial(item, quantity, actor=actor)
        barcodes.replace_codes(item, codes)
        events.publish("item_created", item_event_payload(item, actor))
        # Created already below its threshold: that is an alert too.
        low_stock.after_change(item, was_low=False, actor=actor)
    return item


def active_by_sku(skus: list[str]) -> sa.Select:
    """Active items with these SKUs (in any letter case), looked up one by one in the SKU index.

    `sku IN (...)` with hundreds of values lets PostgreSQL pick the trigram index and recheck
    every candidate (30 s for 1,000 SKUs on a fresh table). A plain join of the list lets it
    hash the whole table when its statistics are stale (just after an import created 100,000
    items: 48 ms a chunk, most of a re-import's time); a LATERAL lookup of one row per SKU (the
    SKU is unique among active items) is always one index probe per SKU.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        lowered = [sku.lower() for sku in skus]
        return sa.select(Item).where(sa.func.lower(Item.sku).in_(lowered), sa.not_(Item.is_deleted))
    wanted = (
        sa.func.unnest(sa.bindparam("skus", [sku.lower() for sku in skus], type_=postgresql.ARRAY(sa.Text)))
        .table_valued("sku")
        .render_derived(name="wanted")
    )
    one = (
        sa.select(Item)
        .where(sa.func.lower(Item.sku) == wanted.c.sku, sa.not_(Item.is_deleted))
        .limit(1)
        .lateral("found")
    )
    return sa.select(aliased(Item, one)).select_from(wanted).join(one, sa.true())


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
        counters.note_items([(None, item) for item in created])  # placed at their homes; stock below
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
        was_low, before = item.is_low_stock, counters.snapshot(item)
        if "sku" in changes and changes["sku"].lower() != item.sku.lower():
            _check_sku_free(changes["sku"], exclude_id=item.id)
        _check_decimals(item, changes)
        if "tracking" in changes or "decimals" in changes:
            _check_tracking(item, changes.get("tracking", item.tracking), changes.get("decimals", item.decimals), 0)
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
            counters.note_items([(before, item)])
            low_stock.after_change(item, was_low=was_low, actor=actor, entry=entry)
            events.publish("item_updated", item_event_payload(item, actor, changed=sorted(changed)))
    return item


def delete_item(item_id: int, *, actor: User) -> None:
    """Soft-delete an item; its history stays readable. Raises NotFound."""
    with unit_of_work():
        item = stock.lock_item(item_id)
        was_low, before = item.is_low_stock, counters.snapshot(item)
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
        counters.note_items([(before, item)])
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


def _check_tracking(item: Item, tracking: str, decimals: int, initial: Any) -> None:
    """Tracking changes only while the item holds nothing; serial items count whole units; a tracked
    item's first stock arrives with its lot or serials (a restock), not with the item.
    Raises ItemHasStock, ValidationFailed."""
    if tracking != "none" and initial:
        raise ValidationFailed(
            "A tracked item's first stock is received with its lot or serials (restock it once created).",
            fields={"quantity": ["Leave it out for a tracked item."]},
        )
    if tracking == "serial" and decimals:
        raise ValidationFailed(
            "A serial-tracked item is counted in whole units.", fields={"decimals": ["Serial items take 0."]}
        )
    if item.id is not None and tracking != item.tracking and item.quantity != 0:
        raise ItemHasStock(
            f"{item.sku} holds {item.quantity} {item.unit}: its tracking changes only when it holds none.",
            fields={"tracking": ["Withdraw or adjust its stock to 0 first."]},
            quantity=item.quantity,
        )


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
