"""Ledger rows: the query string of the log list and the JSON of an entry."""

from __future__ import annotations

from marshmallow import fields, validate

from app.limits import SERIAL_LENGTH
from app.models import LogAction
from app.schemas.common import Amount, BodySchema, PageQuerySchema, QueryId, Timestamp, page_of


class LogSchema(BodySchema):
    id = fields.Integer()
    item_id = fields.Integer()
    location_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    action = fields.String()
    quantity_before = Amount()
    quantity_after = Amount()
    delta = Amount()
    note = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    stock_request_id = fields.Integer(allow_none=True)
    purchase_order_id = fields.Integer(allow_none=True)
    purchase_order_line_id = fields.Integer(allow_none=True)
    count_id = fields.Integer(allow_none=True, metadata={"description": "The stock count whose approval made it."})
    lot_id = fields.Integer(allow_none=True, metadata={"description": "The lot this row moved (issue 27)."})
    serial = fields.String(allow_none=True, metadata={"description": "The unit this row moved (issue 27)."})
    created_at = fields.DateTime()


LogPageSchema = page_of(LogSchema, "LogPageSchema")


class LogQuerySchema(PageQuerySchema):
    item_id = QueryId()
    user_id = QueryId()
    action = fields.String(validate=validate.OneOf([a.value for a in LogAction]))
    since = Timestamp()
    until = Timestamp()
    lot_id = QueryId()
    serial = fields.String(validate=validate.Length(min=1, max=SERIAL_LENGTH))
