"""The dashboard's JSON: summary figures and the per-category breakdown."""

from __future__ import annotations

from marshmallow import Schema, fields


class SummarySchema(Schema):
    total_items = fields.Integer()
    total_units = fields.Integer()
    low_stock_items = fields.Integer()
    open_alerts = fields.Integer(metadata={"description": "Unresolved alerts: one per low-stock item."})
    unacknowledged_alerts = fields.Integer(metadata={"description": "Open alerts nobody has acknowledged yet."})
    total_value = fields.Float()


class CategoryBreakdownSchema(Schema):
    category_id = fields.Integer(allow_none=True)
    name = fields.String()
    item_count = fields.Integer()
    total_units = fields.Integer()
    total_value = fields.Float()
