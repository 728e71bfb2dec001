"""One spreadsheet row of items: the mapping's fields, parsing each cell, planning and applying it.

A row is planned against the database as it is now (create, update, unchanged, or its
errors); the same planning runs in the dry run and again, per batch, when the run
applies it, so a row already applied plans as unchanged. Applying goes through the
items, catalogue, locations and stock services: nothing here writes a table itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.limits import DESCRIPTION_LENGTH, ITEM_NAME_LENGTH, MAX_QUANTITY, SKU_LENGTH, SKU_PATTERN, UNIT_LENGTH
from app.models import Item, StockLevel, User
from app.models.location import SEPARATOR
from app.services import barcodes, items, stock
from app.services.imports.catalogue import Catalogue, prepare
from app.services.quantities import MAX_DECIMALS, places, read_decimal, show

# field -> label; the mapping's values are these field names.
FIELDS = {
    "sku": "SKU",
    "name": "Name",
    "category": "Category",
    "location": "Location",
    "quantity": "Quantity",
    "unit": "Unit",
    "decimals": "Decimals",
    "price": "Price",
    "low_stock_threshold": "Low-stock threshold",
    "description": "Description",
    "barcode": "Barcode",
}
REQUIRED = ("sku",)  # and "name" for rows that create an item
SYNONYMS = {
    "sku": {"sku", "itemcode", "code", "partnumber", "partno", "article", "articlenumber", "ref", "reference"},
    "name": {"name", "itemname", "title", "product", "productname", "item"},
    "category": {"category", "categoryname", "group", "type"},
    "location": {"location", "locationpath", "path", "bin", "place", "where", "warehouse", "store"},
    "quantity": {"quantity", "qty", "stock", "count", "onhand", "quantityonhand", "counted"},
    "unit": {"unit", "uom", "unitofmeasure", "units"},
    "decimals": {"decimals", "decimalplaces", "places"},
    "price": {"price", "unitprice", "cost", "unitcost"},
    "low_stock_threshold": {
        "lowstockthreshold",
        "threshold",
        "minimum",
        "minqty",
        "reorderpoint",
        "reorderlevel",
        "min",
    },
    "description": {"description", "notes", "details", "desc"},
    # Not "code": that is a SKU's synonym.
    "barcode": {
        "barcode",
        "barcodes",
        "ean",
        "ean13",
        "eancode",
        "gtin",
        "gtin13",
        "upc",
        "upca",
        "upccode",
        "code128",
        "manufacturerbarcode",
    },
}
_SKU = re.compile(SKU_PATTERN)


def propose_mapping(headers: list[str]) -> dict[str, str]:
    """{header: field} for the headers that name a field; each field used once, first header wins."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = re.sub(r"[^a-z0-9]", "", header.lower())
        for name, words in SYNONYMS.items():
            if key in words and name not in mapping.values() and header not in mapping:
                mapping[header] = name
    return mapping


@dataclass
class RowPlan:
    row: int
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    action: str = "unchanged"  # create | update | unchanged | error
    item_id: int | None = None
    version: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    location_id: int | None = None
    new_location: str | None = None  # a path to create
    new_category: str | None = None
    counted: Decimal | None = None  # a quantity to set at the location (update) or to start with (create)


def parse(cells: list[str], columns: dict[str, int]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A row's mapped cells as values (absent when blank), and the errors of the cells that do not parse."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name, index in columns.items():
        text = cells[index].strip() if index < len(cells) else ""
        if not text:
            continue
        if "\x00" in text:
            errors.append((name, "Contains a NUL character."))
            continue
        try:
            value = _PARSERS.get(name, _text_of(name))(text)
        except ValueError as exc:
            errors.append((name, str(exc)))
            continue
        if value is not None:  # None: nothing in the cell after all (a barcode cell of only separators)
            values[name] = value
    if "sku" not in values and not any(name == "sku" for name, _ in errors):
        errors.append(("sku", "SKU is required."))
    return values, errors


def _text_of(name: str):
    limit = {"name": ITEM_NAME_LENGTH, "unit": UNIT_LENGTH, "description": DESCRIPTION_LENGTH}.get(name, 1000)

    def parse_text(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"At most {limit} characters.")
        return text

    return parse_text


def _sku(text: str) -> str:
    if len(text) > SKU_LENGTH or not _SKU.match(text):
        raise ValueError(f"{text!r} is not a valid SKU: letters, digits, '.', '_', '-' or '/' (at most {SKU_LENGTH}).")
    return text


def _decimal(text: str, *, money: bool = False) -> Decimal:
    try:
        number = read_decimal(text.replace(" ", "").replace("\u00a0", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{text!r} is not a number.")
    if number < 0:
        raise ValueError("Must not be negative.")
    if number > MAX_QUANTITY:
        raise ValueError("Too large.")
    if money and places(number) > 2:
        raise ValueError("At most 2 decimal places.")
    if not money and places(number) > MAX_DECIMALS:
        raise ValueError(f"At most {MAX_DECIMALS} decimal places.")
    return number.normalize() if number == number.to_integral_value() else number


def _places(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_DECIMALS:
        raise ValueError(f"Decimals is a whole number from 0 to {MAX_DECIMALS}.")
    return int(text)


def _path(text: str) -> str:
    parts = [part.strip() for part in re.split(r"\s*[/>]\s*", text) if part.strip()]
    if not parts:
        raise ValueError("Give a location path such as 'Main / Aisle A / Bin 3'.")
    return SEPARATOR.join(parts)


def _codes(text: str) -> list[str] | None:
    """One code or several (spaces, commas or semicolons between), checked as the item API checks them."""
    try:
        return barcodes.normalise_codes(barcodes.split_cell(text)) or None
    except ValidationFailed as exc:
        raise ValueError(" ".join((exc.fields or {}).get(barcodes.FIELD, [exc.message]))) from None


_PARSERS = {
    "sku": _sku,
    "quantity": _decimal,
    "low_stock_threshold": _decimal,
    "price": lambda text: _decimal(text, money=True),
    "decimals": _places,
    "location": _path,
    "barcode": _codes,
}


def plan(rows: list[tuple[int, dict[str, Any], list]], catalogue: Catalogue, options: dict[str, Any]) -> list[RowPlan]:
    """Plan a chunk of parsed rows against the database: one query for its items, one for their levels."""
    plans = [RowPlan(row=n, values=values, errors=list(errors)) for n, values, errors in rows]
    skus = [p.values["sku"] for p in plans if "sku" in p.values]
    # SKUs are unique in any letter case: "abc-1" in the file is the item "ABC-1".
    # Plain rows, not ORM objects: a re-import reads every item twice (dry run, then apply).
    found = {item.sku.lower(): item for item in db.session.connection().execute(items.active_by_sku(skus))}
    for p in plans:
        _resolve(p, found.get(str(p.values.get("sku", "")).lower()), catalogue, options)
    _compare_levels([p for p in plans if p.action == "update-pending"])
    _check_codes(plans)
    for p in plans:
        if p.errors:
            p.action = "error"
        elif p.action == "update-pending":
            p.action = "update" if p.changes or p.counted is not None else "unchanged"
    return plans


def _resolve(p: RowPlan, item: Item | None, catalogue: Catalogue, options: dict[str, Any]) -> None:
    v = p.values
    if "category" in v:
        category_id = catalogue.categories.get(v["category"].lower())
        if category_id is None and not options.get("create_categories"):
            p.errors.append(("category", f"Unknown category {v['category']!r} (creating categories is off)."))
        elif category_id is None:
            p.new_category = v["category"]
        v["category_id"] = category_id
    if "location" in v:
        known = catalogue.locations.get(v["location"].lower())
        if known is None and not options.get("create_locations"):
            p.errors.append(("location", f"Unknown location {v['location']!r} (creating locations is off)."))
        elif known is None:
            p.new_location = v["location"]
        elif known[1]:
            p.errors.append(("location", f"{v['location']} groups other locations and holds no stock."))
        else:
            p.location_id = known[0]
    decimals = v.get("decimals", item.decimals if item is not None else 0)
    for name in ("quantity", "low_stock_threshold"):
        if name in v and places(v[name]) > decimals:
            allowed = "whole numbers only" if decimals == 0 else f"at most {decimals} decimal place(s)"
            p.errors.append((name, f"{show(v[name])} refused: this item takes {allowed}."))
    if item is None:
        p.action = "create"
        if "name" not in v:
            p.errors.append(("name", "A new item needs a name."))
        if "location" not in v:
            p.errors.append(("location", "A new item needs a location (its home)."))
        p.counted = v.get("quantity")
        return
    p.item_id, p.version, p.action = item.id, item.version, "update-pending"
    for name, attribute in (
        ("name", "name"),
        ("unit", "unit"),
        ("decimals", "decimals"),
        ("price", "price"),
        ("low_stock_threshold", "low_stock_threshold"),
        ("description", "description"),
    ):
        if name in v and getattr(item, attribute) != v[name]:
            p.changes[attribute] = v[name]
    if "category" in v and (p.new_category is not None or v["category_id"] != item.category_id):
        p.changes["category_id"] = v["category_id"]
    if "quantity" in v:
        p.counted = v["quantity"]
        if p.location_id is None and p.new_location is None:
            p.location_id = item.location_id


def _compare_levels(plans: list[RowPlan]) -> None:
    """An update's counted quantity is a change only where it differs from the level held there."""
    wanted = [(p.item_id, p.location_id) for p in plans if p.counted is not None and p.location_id is not None]
    if not wanted:
        return
    held = {
        (item_id, location_id): quantity
        for item_id, location_id, quantity in db.session.execute(
            sa.select(StockLevel.item_id, StockLevel.location_id, StockLevel.quantity).where(
                StockLevel.item_id.in_({item_id for item_id, _ in wanted})
            )
        ).all()
    }
    for p in plans:
        if p.counted is not None and p.location_id is not None and held.get((p.item_id, p.location_id), 0) == p.counted:
            p.counted = None


def _check_codes(plans: list[RowPlan]) -> None:
    """A row's barcodes against the active items, one statement for the chunk: a code carried by
    another item is the row's error; an update changes the codes only when the set differs."""
    coded = [p for p in plans if p.values.get("barcode")]
    if not coded:
        return
    held = barcodes.holders(
        [code for p in coded for code in p.values["barcode"]], [p.item_id for p in coded if p.item_id is not None]
    )
    owner = {code: (item_id, sku) for code, item_id, sku in held}
    current: dict[int, set[str]] = {}
    for code, item_id, _ in held:
        current.setdefault(item_id, set()).add(code)
    for p in coded:
        codes = p.values["barcode"]
        taken = [
            f"{code} is already on {owner[code][1]}." for code in codes if owner.get(code, (p.item_id,))[0] != p.item_id
        ]
        if taken:
            p.errors.append(("barcode", " ".join(taken)))
        elif p.item_id is not None and set(codes) != current.get(p.item_id, set()):
            p.changes["barcodes"] = codes


def apply_alone(p: RowPlan, catalogue: Catalogue, *, actor: User, note: str) -> DomainError | None:
    """Apply one row in its own savepoints; the refusal, if any. The categories and locations it
    names are created first and kept even when the row itself is refused, for the rows after it."""
    mark = len(catalogue.added)
    try:
        with db.session.begin_nested():
            prepare(p, catalogue)
        mark = len(catalogue.added)
        with db.session.begin_nested():  # a refused row rolls back alone
            apply(p, catalogue, actor=actor, note=note)
    except DomainError as exc:
        catalogue.forget_since(mark)  # rolled back with its savepoint
        return exc
    return None


def apply(p: RowPlan, catalogue: Catalogue, *, actor: User, note: str) -> None:
    """Apply one planned row through the services (inside the caller's unit of work)."""
    prepare(p, catalogue)
    if p.action == "create":
        items.create_item(creation(p), actor=actor)
    else:
        update(p, actor=actor, note=note)


def apply_many(plans: list[RowPlan], catalogue: Catalogue, *, actor: User, note: str) -> None:
    """Apply a batch's rows: its new items in one items.create_items call, then each update."""
    for p in plans:
        prepare(p, catalogue)
    items.create_items([creation(p) for p in plans if p.action == "create"], actor=actor)
    for p in plans:
        if p.action == "update":
            update(p, actor=actor, note=f"{note}, row {p.row}")


def creation(p: RowPlan) -> dict[str, Any]:
    v = p.values
    return {
        "sku": v["sku"],
        "name": v["name"],
        "location_id": p.location_id,
        "category_id": v.get("category_id"),
        "unit": v.get("unit", "pcs"),
        "decimals": v.get("decimals", 0),
        "price": v.get("price", Decimal("0")),
        "low_stock_threshold": v.get("low_stock_threshold", 0),
        "description": v.get("description"),
        "quantity": p.counted or 0,
        "barcodes": v.get("barcode", []),
    }


def update(p: RowPlan, *, actor: User, note: str) -> None:
    """Only what differs: one item update (version bumped, one ledger row), one adjust of the count."""
    if p.changes:
        items.update_item(p.item_id, dict(p.changes), actor=actor, expected_version=p.version, partial=True)
    if p.counted is not None:
        stock.adjust(p.item_id, p.location_id, p.counted, actor=actor, note=note)
