"""The dashboard's JSON: summary figures and the per-category breakdown."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import Amount, QueryId, QuerySchema


class SiteSchema(Schema):
    id = fields.Integer()
    path = fields.String()


class UnitTotalSchema(Schema):
    unit = fields.String()
    quantity = Amount()


class SummarySchema(Schema):
    total_items = fields.Integer()
    total_units = Amount(
        metadata={"description": "Every unit added together (pieces and metres alike); see units_by_unit."}
    )
    units_by_unit = fields.List(
        fields.Nested(UnitTotalSchema), metadata={"description": "Units in stock per unit word, largest first."}
    )
    low_stock_items = fields.Integer()
    open_alerts = fields.Integer(metadata={"description": "Unresolved alerts: one per low-stock item."})
    unacknowledged_alerts = fields.Integer(metadata={"description": "Open alerts nobody has acknowledged yet."})
    total_value = fields.Float()
    site = fields.Nested(SiteSchema, metadata={"description": "The site the figures cover, when narrowed."})


class CategoryBreakdownSchema(Schema):
    category_id = fields.Integer(allow_none=True)
    name = fields.String()
    item_count = fields.Integer()
    total_units = Amount()
    total_value = fields.Float()


class SummaryQuerySchema(QuerySchema):
    site_id = QueryId(metadata={"description": "Only this location's subtree (usually a site)."})
