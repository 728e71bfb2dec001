"""Alerts: the query string of the alert list and the JSON of an alert."""

from __future__ import annotations

from marshmallow import fields

from app.schemas.common import Amount, BodySchema, PageQuerySchema, page_of


class AlertSchema(BodySchema):
    id = fields.Integer()
    item_id = fields.Integer()
    location_id = fields.Integer(allow_none=True)
    message = fields.String()
    quantity = Amount()
    threshold = Amount()
    recipients = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    send_error = fields.String(allow_none=True)
    acknowledged = fields.Boolean()
    acknowledged_by_id = fields.Integer(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    resolved = fields.Boolean(attribute="is_resolved")
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by_id = fields.Integer(allow_none=True)
    resolved_by_log_id = fields.Integer(allow_none=True)
    resolved_reason = fields.String(allow_none=True)


AlertPageSchema = page_of(AlertSchema, "AlertPageSchema")


class AlertQuerySchema(PageQuerySchema):
    acknowledged = fields.Boolean()
    resolved = fields.Boolean(metadata={"description": "false: open alerts (one per item below its threshold)."})
