"""Items and movements: input validation (limits and SKU pattern from app/limits.py) and JSON output."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from app.limits import (
    CURSOR_LENGTH,
    DESCRIPTION_LENGTH,
    ITEM_NAME_LENGTH,
    LOT_CODE_LENGTH,
    MAX_DECIMALS,
    MAX_PRICE,
    MAX_SERIALS,
    MAX_SHELF_LIFE_DAYS,
    MOVEMENT_NOTE_LENGTH,
    PRICE_MESSAGE,
    SEARCH_LENGTH,
    SERIAL_LENGTH,
    SKU_LENGTH,
    SKU_MESSAGE,
    SKU_PATTERN,
    TRACE_CODE_MESSAGE,
    TRACE_CODE_PATTERN,
    UNIT_LENGTH,
)
from app.models.base import normalise
from app.schemas.common import (
    Amount,
    BodySchema,
    Count,
    Flag,
    Id,
    Money,
    PageQuerySchema,
    Quantity,
    QueryId,
    Text,
    page_of,
)
from app.schemas.log import LogSchema
from app.services.item_list import SORT_COLUMNS

# The bounds are documented as numbers (apispec would print the Decimal field's bounds as strings).
_money = {
    "places": 2,
    "allow_nan": False,
    "validate": validate.Range(min=0, max=MAX_PRICE, error=PRICE_MESSAGE),
    "metadata": {"minimum": 0, "maximum": MAX_PRICE},
}


class _ItemFields(BodySchema):
    sku = Text(
        validate=[
            validate.Length(min=1, max=SKU_LENGTH),
            validate.Regexp(SKU_PATTERN, error=SKU_MESSAGE),
        ]
    )
    name = Text(validate=validate.Length(min=1, max=ITEM_NAME_LENGTH))
    description = fields.String(allow_none=True, validate=validate.Length(max=DESCRIPTION_LENGTH))
    category_id = Id(allow_none=True)
    location_id = Id()
    unit = Text(validate=validate.Length(min=1, max=UNIT_LENGTH))
    price = Money(**_money)
    low_stock_threshold = Count()
    decimals = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DECIMALS))
    reorder_point = Count(
        allow_none=True, metadata={"description": "Reorder at or below this (on hand + on order); null: the threshold."}
    )
    reorder_quantity = Count(allow_none=True, metadata={"description": "How many to buy when reordering."})
    max_stock = Count(
        allow_none=True, metadata={"description": "Reorder up to this level (instead of reorder_quantity)."}
    )
    barcodes = fields.List(
        fields.String(),
        metadata={"description": "Manufacturers' barcodes: UPC-A/EAN-13 (check digit verified) or Code 128 text."},
    )
    tracking = fields.String(
        validate=validate.OneOf(["none", "lot", "serial"]),
        metadata={"description": "none, lot or serial (issue 27); changes only while the item holds no stock."},
    )
    shelf_life_days = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_SHELF_LIFE_DAYS),
        metadata={"description": "A new lot received without an expiry date expires this many days later."},
    )
    expiry_required = Flag(metadata={"description": "A new lot must be received with its expiry date."})


class ItemCreateSchema(_ItemFields):
    sku = Text(required=True, validate=_ItemFields._declared_fields["sku"].validators)
    name = Text(required=True, validate=validate.Length(min=1, max=ITEM_NAME_LENGTH))
    location_id = Id(required=True)
    unit = Text(load_default="pcs", validate=validate.Length(min=1, max=UNIT_LENGTH))
    price = Money(load_default=0, **{**_money, "metadata": {**_money["metadata"], "default": 0}})
    low_stock_threshold = Count(load_default=0)
    decimals = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_DECIMALS))
    quantity = Count(load_default=0)


class ItemPutSchema(_ItemFields):
    sku = Text(required=True, validate=_ItemFields._declared_fields["sku"].validators)
    name = Text(required=True, validate=validate.Length(min=1, max=ITEM_NAME_LENGTH))
    location_id = Id(required=True)
    version = fields.Integer(strict=True, validate=validate.Range(min=1))


class ItemPatchSchema(_ItemFields):
    version = fields.Integer(strict=True, validate=validate.Range(min=1))


class ItemQuerySchema(PageQuerySchema):
    search = fields.String(validate=validate.Length(max=SEARCH_LENGTH))
    category_id = QueryId()
    location_id = QueryId()
    min_quantity = Count()
    max_quantity = Count()
    cascade = fields.Boolean(
        load_default=True, metadata={"description": "False: only the exact location, not its subtree."}
    )
    below_threshold = fields.Boolean()
    sort_by = fields.String(load_default="name", validate=validate.OneOf(sorted(SORT_COLUMNS)))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


class ItemListQuerySchema(ItemQuerySchema):
    """The list's query: its filters and sort (shared with the exports), and a cursor."""

    cursor = fields.String(
        validate=validate.Length(min=1, max=CURSOR_LENGTH),
        metadata={
            "description": "A previous answer's `next_cursor`, with the same filters and sort: the page after it, "
            "found by keyset (as fast at page 100 as at page 1). Replaces `page`. Not offered for the "
            "`category` and `location` sorts."
        },
    )


class ItemSchema(BodySchema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    location_id = fields.Integer()
    unit = fields.String()
    price = fields.Float()
    low_stock_threshold = Amount()
    decimals = fields.Integer()
    quantity = Amount()
    is_low_stock = fields.Boolean()
    reorder_point = Amount(allow_none=True)
    reorder_quantity = Amount(allow_none=True)
    max_stock = Amount(allow_none=True)
    on_order = Amount(metadata={"description": "Open quantity on sent, not fully received purchase orders."})
    tracking = fields.String()
    shelf_life_days = fields.Integer(allow_none=True)
    expiry_required = fields.Boolean()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class StockEntrySchema(BodySchema):
    location_id = fields.Integer()
    location_name = fields.String(metadata={"description": "The location's full path."})
    quantity = Amount()
    lot_id = fields.Integer(metadata={"description": "Lot-tracked items: one entry per (location, lot)."})
    lot = fields.String()
    expires_on = fields.Date(allow_none=True)


class LotTakenSchema(BodySchema):
    lot = fields.String()
    lot_id = fields.Integer()
    quantity = Amount()
    expires_on = fields.String(allow_none=True, metadata={"format": "date"})


class ItemDetailSchema(ItemSchema):
    stock = fields.List(fields.Nested(StockEntrySchema))
    barcodes = fields.List(fields.String())


class MovementSchema(ItemDetailSchema):
    movements = fields.List(fields.Nested(LogSchema), metadata={"description": "The ledger rows this movement wrote."})
    alert_id = fields.Integer(allow_none=True, metadata={"description": "The low-stock alert raised, if any."})
    lots = fields.List(
        fields.Nested(LotTakenSchema), metadata={"description": "Lot-tracked items: what each lot gave or took."}
    )
    serials = fields.List(fields.String(), metadata={"description": "Serial-tracked items: the units moved."})


class ItemPageSchema(page_of(ItemSchema, "ItemPageBase")):
    next_cursor = fields.String(
        allow_none=True,
        metadata={
            "description": "Send it back as `cursor` for the next page; null on the last page (or sorts without one)."
        },
    )


def dump_item(item: Any) -> dict[str, Any]:
    """ItemSchema().dump(item), written out by hand for the list's hot path (about 10x faster).

    tests/api/test_query_counts.py proves the output identical to the schema's.
    """
    price, created, updated = item.price, item.created_at, item.updated_at
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "category_id": item.category_id,
        "location_id": item.location_id,
        "unit": item.unit,
        "price": None if price is None else float(price),
        "low_stock_threshold": normalise(item.low_stock_threshold),
        "decimals": item.decimals,
        "quantity": normalise(item.quantity),
        "is_low_stock": item.quantity < item.low_stock_threshold,
        "reorder_point": normalise(item.reorder_point),
        "reorder_quantity": normalise(item.reorder_quantity),
        "max_stock": normalise(item.max_stock),
        "on_order": normalise(item.on_order),
        "tracking": item.tracking,
        "shelf_life_days": item.shelf_life_days,
        "expiry_required": item.expiry_required,
        "version": item.version,
        "created_at": None if created is None else created.isoformat(),
        "updated_at": None if updated is None else updated.isoformat(),
    }


def dump_item_detail(item: Any, stock: list[dict], barcodes: list[str]) -> dict[str, Any]:
    """ItemDetailSchema().dump(ItemView(item, stock=..., barcodes=...)), by hand (see dump_item)."""
    return {**dump_item(item), "stock": _dump_stock(stock), "barcodes": list(barcodes)}


def dump_movement(
    item: Any,
    stock: list[dict],
    logs: list[Any],
    alert_id: int | None,
    lots: list[dict] | None = None,
    serials: list[str] | None = None,
) -> dict[str, Any]:
    """MovementSchema().dump(ItemView(item, stock=..., movements=..., alert_id=...)), by hand:
    a movement's answer is on the busiest write path (see dump_item). No barcodes: the view
    of a movement carries none."""
    movements = [dump_log(entry) for entry in logs]
    body = {**dump_item(item), "stock": _dump_stock(stock), "movements": movements, "alert_id": alert_id}
    if lots is not None:
        body["lots"] = [{**entry, "quantity": normalise(entry["quantity"])} for entry in lots]
    if serials is not None:
        body["serials"] = list(serials)
    return body


def _dump_stock(stock: list[dict]) -> list[dict[str, Any]]:
    """StockEntrySchema(many=True).dump(stock), by hand."""
    return [
        {"location_id": s["location_id"], "location_name": s["location_name"], "quantity": normalise(s["quantity"])}
        | _lot_of(s)
        for s in stock
    ]


def _lot_of(entry: dict) -> dict[str, Any]:
    if "lot_id" not in entry:
        return {}
    expires = entry["expires_on"]
    return {"lot_id": entry["lot_id"], "lot": entry["lot"], "expires_on": expires.isoformat() if expires else None}


def dump_log(entry: Any) -> dict[str, Any]:
    """LogSchema().dump(entry), by hand."""
    created = entry.created_at
    return {
        "id": entry.id,
        "item_id": entry.item_id,
        "location_id": entry.location_id,
        "user_id": entry.user_id,
        "action": entry.action,
        "quantity_before": normalise(entry.quantity_before),
        "quantity_after": normalise(entry.quantity_after),
        "delta": normalise(entry.delta),
        "note": entry.note,
        "request_id": entry.request_id,
        "stock_request_id": entry.stock_request_id,
        "purchase_order_id": entry.purchase_order_id,
        "purchase_order_line_id": entry.purchase_order_line_id,
        "count_id": entry.count_id,
        "lot_id": entry.lot_id,
        "serial": entry.serial,
        "created_at": None if created is None else created.isoformat(),
    }


def dump_item_page(page: Any) -> dict[str, Any]:
    """ItemPageSchema().dump(page), by hand (see dump_item)."""
    return {
        "items": [dump_item(item) for item in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "next_cursor": page.next_cursor,
    }


class ItemView:
    """An item plus the extra attributes a detail or movement answer shows."""

    def __init__(self, item: Any, **extra: Any) -> None:
        self._item = item
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


def _trace_code(length: int, **kwargs: Any) -> Text:
    """A lot code or a serial: 1-64 printable characters."""
    return Text(
        validate=[validate.Length(min=1, max=length), validate.Regexp(TRACE_CODE_PATTERN, error=TRACE_CODE_MESSAGE)],
        **kwargs,
    )


class _Traced(BodySchema):
    """The lot or units a movement names (issue 27); untracked items refuse them."""

    lot = _trace_code(LOT_CODE_LENGTH, metadata={"description": "Lot-tracked items: the lot's code."})
    serials = fields.List(
        _trace_code(SERIAL_LENGTH),
        validate=validate.Length(min=1, max=MAX_SERIALS),
        metadata={"description": "Serial-tracked items: the units; the quantity is their count and may be left out."},
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _quantity_or_serials(self, data: dict, original: Any, **_kwargs: Any) -> None:
        sent = original if isinstance(original, dict) else {}
        for name in ("quantity", "counted_quantity"):
            if name in self.fields and name not in sent and "serials" not in sent:
                raise ValidationError({name: ["Missing data for required field."]})
        units = data.get("serials") or []
        twice = next((s for i, s in enumerate(units) if s in units[:i]), None)
        if twice is not None:
            raise ValidationError({"serials": [f"{twice} is given twice."]})


class RestockSchema(_Traced):
    quantity = Quantity(metadata={"description": "Required unless serials are given."})
    location_id = Id(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=MOVEMENT_NOTE_LENGTH))
    expires_on = fields.Date(metadata={"description": "A new lot's expiry date (a known lot's must match)."})


class WithdrawSchema(_Traced):
    quantity = Quantity(metadata={"description": "Required unless serials are given."})
    location_id = Id(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=MOVEMENT_NOTE_LENGTH))
    allow_expired = Flag(metadata={"description": "Managers: FEFO may take expired lots."})


class TransferSchema(_Traced):
    from_location_id = Id(required=True)
    to_location_id = Id(required=True)
    quantity = Quantity(metadata={"description": "Required unless serials are given."})
    note = fields.String(allow_none=True, validate=validate.Length(max=MOVEMENT_NOTE_LENGTH))
    allow_expired = Flag(metadata={"description": "Managers: FEFO may take expired lots."})


class AdjustSchema(_Traced):
    location_id = Id(required=True)
    counted_quantity = Count(metadata={"description": "Required unless serials (the units found) are given."})
    note = Text(required=True, validate=validate.Length(min=1, max=MOVEMENT_NOTE_LENGTH))
    expires_on = fields.Date(metadata={"description": "A lot found that is new: its expiry date."})
