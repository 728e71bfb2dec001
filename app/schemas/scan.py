from __future__ import annotations

from marshmallow import fields, validate

from app.schemas.common import BodySchema, QuerySchema
from app.services.scan import MAX_CODE_LENGTH


class ScanQuerySchema(QuerySchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CODE_LENGTH))


class ScanResultSchema(BodySchema):
    type = fields.String(metadata={"enum": ["item", "location"]})
    id = fields.Integer()
    item = fields.Dict(metadata={"description": "When type is item: id, sku, name, unit, decimals, quantity..."})
    location = fields.Dict(metadata={"description": "When type is location: id, name, path, is_structural, link."})
