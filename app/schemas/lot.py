"""Lots and serials (issue 27): a lot's edit, an item's lots, a lot's trace, an item's units."""

from __future__ import annotations

from marshmallow import fields, validate

from app.models import LotStatus, SerialState
from app.schemas.common import Amount, BodySchema, QuerySchema


class LotPatchSchema(BodySchema):
    status = fields.String(validate=validate.OneOf([s.value for s in LotStatus]))
    expires_on = fields.Date(allow_none=True, metadata={"description": "A past date is allowed (found expired)."})


class LotLevelSchema(BodySchema):
    location_id = fields.Integer()
    path = fields.String()
    quantity = Amount()


class LotSchema(BodySchema):
    id = fields.Integer()
    item_id = fields.Integer()
    code = fields.String()
    expires_on = fields.Date(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    quantity = Amount()
    levels = fields.List(fields.Nested(LotLevelSchema))


class TraceMovementSchema(BodySchema):
    id = fields.Integer()
    action = fields.String()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    user = fields.String(allow_none=True)
    location_id = fields.Integer(allow_none=True)
    path = fields.String(allow_none=True)
    delta = Amount()
    quantity_before = Amount()
    quantity_after = Amount()
    note = fields.String(allow_none=True)
    serial = fields.String(allow_none=True)
    purchase_order_id = fields.Integer(allow_none=True)
    purchase_order_line_id = fields.Integer(allow_none=True)
    stock_request_id = fields.Integer(allow_none=True)
    count_id = fields.Integer(allow_none=True)


class WithdrawnSchema(BodySchema):
    quantity = Amount()
    at = fields.DateTime()
    user = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    request_id = fields.Integer(metadata={"description": "The stock request whose approval took it, if any."})


class TraceItemSchema(BodySchema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()


class LotTraceSchema(BodySchema):
    lot = fields.Nested(LotSchema)
    item = fields.Nested(TraceItemSchema)
    received = fields.List(fields.Nested(TraceMovementSchema))
    movements = fields.List(fields.Nested(TraceMovementSchema), metadata={"description": "Oldest first."})
    on_hand = fields.List(fields.Nested(LotLevelSchema))
    withdrawn = fields.List(fields.Nested(WithdrawnSchema))


class SerialQuerySchema(QuerySchema):
    state = fields.String(validate=validate.OneOf([s.value for s in SerialState]))


class SerialSchema(BodySchema):
    serial = fields.String()
    item_id = fields.Integer()
    state = fields.String()
    location_id = fields.Integer(allow_none=True)
    path = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class SerialHistorySchema(SerialSchema):
    movements = fields.List(fields.Nested(TraceMovementSchema), metadata={"description": "Oldest first."})
