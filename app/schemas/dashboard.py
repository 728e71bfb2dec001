from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import Amount


class SummarySchema(Schema):
    total_items = fields.Integer()
    total_units = Amount()
    low_stock_items = fields.Integer()
    unacknowledged_alerts = fields.Integer()
    total_value = fields.Float()


class CategoryBreakdownSchema(Schema):
    category_id = fields.Integer(allow_none=True)
    name = fields.String()
    item_count = fields.Integer()
    total_units = Amount()
    total_value = fields.Float()
