"""Categories and locations: input validation (limits from app/limits.py) and JSON output."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from app.limits import (
    ADDRESS_LENGTH,
    CATALOG_NAME_LENGTH,
    DESCRIPTION_LENGTH,
    ID_TEXT_PATTERN,
    MAX_COUNT_FREQUENCY_DAYS,
    MAX_ID,
    SEARCH_LENGTH,
)
from app.schemas.common import Amount, BodySchema, Flag, Id, QuerySchema, Text

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
    parent_id = fields.Integer(allow_none=True)
    path = fields.String(metadata={"description": "Names from the root down: 'Main Warehouse / Aisle A / Bin B2'."})
    depth = fields.Integer(metadata={"description": "0 for a root (a site)."})
    is_structural = fields.Boolean(metadata={"description": "Groups other locations; never holds stock."})
    item_count = fields.Integer(metadata={"description": "Active items homed at or holding stock at exactly it."})
    count_frequency_days = fields.Integer(
        allow_none=True, metadata={"description": "Cycle counting: a count opens every N days (null: not scheduled)."}
    )
    last_counted_at = fields.DateTime(
        allow_none=True, metadata={"description": "When a count of it was last approved."}
    )


class TotalsSchema(BodySchema):
    items = fields.Integer(metadata={"description": "Distinct active items with stock in the subtree."})
    units = Amount(metadata={"description": "Units of them in the subtree."})


# Named classes rather than LocationSchema(exclude=...) / (only=...): each is its own
# component in the OpenAPI document, under its own name.
class LocationChildSchema(LocationSchema):
    class Meta(LocationSchema.Meta):
        exclude = ("item_count",)


class LocationCrumbSchema(BodySchema):
    id = fields.Integer()
    name = fields.String()
    path = fields.String()


class LocationDetailSchema(LocationSchema):
    children = fields.List(fields.Nested(LocationChildSchema))
    ancestors = fields.List(fields.Nested(LocationCrumbSchema))
    totals = fields.Nested(TotalsSchema)


class LocationInSchema(CategoryInSchema):
    address = fields.String(allow_none=True, validate=validate.Length(max=ADDRESS_LENGTH))
    parent_id = Id(allow_none=True)
    is_structural = Flag()
    count_frequency_days = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_COUNT_FREQUENCY_DAYS),
        metadata={"description": "Cycle counting: open a count every N days; null to stop."},
    )


class LocationPatchSchema(LocationInSchema):
    name = Text(validate=_name)


class ParentId(fields.Field):
    """A parent id in a query string, or `null` for the roots."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        if value in ("null", "none", ""):
            return None
        if not str(value).isdigit() or not 1 <= int(value) <= MAX_ID:
            raise ValidationError("An id, or null for the roots.")
        return int(value)


class LocationQuerySchema(QuerySchema):
    parent_id = ParentId(
        metadata={
            "description": "Children of this location; `null` for the roots.",
            "type": "string",
            "pattern": f"^(null|none|{ID_TEXT_PATTERN})?$",
        }
    )
    search = fields.String(
        validate=validate.Length(max=SEARCH_LENGTH), metadata={"description": "Any part of the path."}
    )
