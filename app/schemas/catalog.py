"""Categories and locations: input validation (limits from app/limits.py) and JSON output."""

from __future__ import annotations

from marshmallow import fields, validate

from app.limits import ADDRESS_LENGTH, CATALOG_NAME_LENGTH, DESCRIPTION_LENGTH
from app.schemas.common import BodySchema, Text

_name = validate.Length(min=1, max=CATALOG_NAME_LENGTH)


class CategorySchema(BodySchema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String(allow_none=True)
    item_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CategoryInSchema(BodySchema):
    name = Text(required=True, validate=_name)
    description = fields.String(allow_none=True, validate=validate.Length(max=DESCRIPTION_LENGTH))


class LocationSchema(CategorySchema):
    address = fields.String(allow_none=True)


class LocationInSchema(CategoryInSchema):
    address = fields.String(allow_none=True, validate=validate.Length(max=ADDRESS_LENGTH))
