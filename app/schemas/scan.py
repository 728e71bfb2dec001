"""The scan look-up's query and answer; a scanned batch's body and answer."""

from __future__ import annotations

from marshmallow import fields, validate

from app.limits import MAX_CODE_LENGTH, MAX_SCAN_LINES, MOVEMENT_NOTE_LENGTH
from app.schemas.common import Amount, BodySchema, Id, Quantity, QuerySchema
from app.schemas.item import _Traced as Traced
from app.services.counts.counting import MODES as COUNT_MODES
from app.services.scanning.batches import MODES


class ScanQuerySchema(QuerySchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CODE_LENGTH))


class ScanResultSchema(BodySchema):
    type = fields.String(metadata={"enum": ["item", "location"]})
    id = fields.Integer()
    item = fields.Dict(metadata={"description": "When type is item: id, sku, name, unit, decimals, quantity..."})
    location = fields.Dict(metadata={"description": "When type is location: id, name, path, is_structural, link."})
    gs1 = fields.Dict(
        metadata={
            "description": "When a GS1 element string was scanned: gtin (GTIN-14), lot, expires_on, serial, "
            "quantity (AI 01, 10, 17, 21, 30/37; null where absent)."
        }
    )


class ScanLineSchema(Traced):
    """One scanned line; a tracked item's names its lot (and a new lot's expiry) or its serials (issue 27)."""

    item_id = Id(required=True)
    quantity = Quantity(metadata={"description": "Required unless serials are given."})
    expires_on = fields.Date(metadata={"description": "Restock of a new lot: its expiry date."})


class ScanBatchSchema(BodySchema):
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    lines = fields.List(
        fields.Nested(ScanLineSchema), required=True, validate=validate.Length(min=1, max=MAX_SCAN_LINES)
    )
    location_id = Id(allow_none=True, metadata={"description": "Restock/withdraw here (default: each item's home)."})
    from_location_id = Id(allow_none=True, metadata={"description": "Move: where the items are taken from."})
    to_location_id = Id(allow_none=True, metadata={"description": "Move: where they go."})
    note = fields.String(allow_none=True, validate=validate.Length(max=MOVEMENT_NOTE_LENGTH))
    count_mode = fields.String(
        allow_none=True,
        validate=validate.OneOf(COUNT_MODES),
        metadata={"description": "Count into an open count: add to or replace lines already counted."},
    )


class ScanBatchLineResultSchema(BodySchema):
    item_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = Amount()
    item_quantity = Amount(
        allow_none=True, metadata={"description": "The item's total after the batch (null when counted into a count)."}
    )
    counted = Amount(allow_none=True, metadata={"description": "Counting into a count: the line's count now."})
    location_ids = fields.List(fields.Integer())
    lots = fields.List(fields.Dict(), metadata={"description": "Lot items: what each lot gave or took."})
    serials = fields.List(fields.String(), metadata={"description": "Serial items: the units moved."})


class ScanBatchResultSchema(BodySchema):
    mode = fields.String()
    count_id = fields.Integer(allow_none=True, metadata={"description": "Count mode: the open count recorded into."})
    location_id = fields.Integer(allow_none=True)
    from_location_id = fields.Integer(allow_none=True)
    to_location_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(ScanBatchLineResultSchema))
