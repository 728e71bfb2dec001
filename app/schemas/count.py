"""Stock counts: the bodies of opening, counting, recounting and approving, and the JSON of a count.

`expected`, `variance` and the values are left out (not null: absent) where the viewer may
not see them (app/services/counts/views.py decides; a blind count's staff never get them).
"""

from __future__ import annotations

from marshmallow import fields, validate

from app.limits import LOT_CODE_LENGTH, MAX_COUNT_ITEMS, MAX_RECOUNT_LINES
from app.models import CountState
from app.schemas.common import Amount, BodySchema, Count, Flag, Id, ItemAtPlaceSchema, PageQuerySchema, QueryId, page_of
from app.services.counts.counting import MODES


class CountCreateSchema(BodySchema):
    location_id = Id(required=True, metadata={"description": "The location counted, with its whole subtree."})
    category_id = Id(allow_none=True, metadata={"description": "Only items of this category."})
    item_ids = fields.List(
        Id(),
        allow_none=True,
        validate=validate.Length(max=MAX_COUNT_ITEMS),
        metadata={"description": "Only these items."},
    )
    blind = Flag(load_default=False, metadata={"description": "Staff do not see the expected quantities."})


class CountLineInputSchema(BodySchema):
    item_id = Id(required=True)
    location_id = Id(required=True, metadata={"description": "Inside the count's location; not structural."})
    counted = Count(required=True, metadata={"description": "What was found; the item's decimals at most."})
    mode = fields.String(
        allow_none=True,
        validate=validate.OneOf(MODES),
        metadata={"description": "For a line already counted: add to it or replace it (without: 409 already_counted)."},
    )
    lot = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=LOT_CODE_LENGTH),
        metadata={"description": "A lot-tracked item's lot code (required for one; 422 `lot` when unknown)."},
    )


class RecountSchema(BodySchema):
    line_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=MAX_RECOUNT_LINES))


class ApproveSchema(BodySchema):
    zero_uncounted = Flag(load_default=False, metadata={"description": "Lines not counted mean zero."})


class CountQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf([s.value for s in CountState]))
    location_id = QueryId()
    covering = QueryId(
        metadata={"description": "Counts of this location or a place above it (whose subtree holds it)."}
    )


class CountLineSchema(ItemAtPlaceSchema):
    expected = Amount(
        metadata={
            "description": "The system quantity when the line was counted (now, until then). Not in blind counts for staff."
        }
    )
    lot_id = fields.Integer(allow_none=True, metadata={"description": "The lot counted (lot items); else null."})
    lot = fields.String(allow_none=True, metadata={"description": "Its code."})
    counted = Amount(allow_none=True)
    variance = Amount(allow_none=True, metadata={"description": "counted - expected. Not in blind counts for staff."})
    variance_value = fields.Decimal(as_string=False, places=2, allow_none=True)
    counted_by = fields.String(allow_none=True, metadata={"description": "Email of who counted it."})
    counted_at = fields.DateTime(allow_none=True)
    unexpected = fields.Boolean(metadata={"description": "Found there but not listed when the count opened."})
    recount = fields.Boolean(metadata={"description": "Sent back by a manager to be counted again."})


class CountSchema(BodySchema):
    id = fields.Integer()
    state = fields.String(metadata={"enum": [s.value for s in CountState]})
    blind = fields.Boolean()
    scheduled = fields.Boolean(metadata={"description": "Opened by the cycle-count job."})
    location_id = fields.Integer()
    location_name = fields.String()
    category_id = fields.Integer(allow_none=True)
    item_ids = fields.List(fields.Integer(), allow_none=True)
    opened_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    zero_uncounted = fields.Boolean()
    line_count = fields.Integer()
    counted_count = fields.Integer()
    variance_line_count = fields.Integer()
    total_variance_value = fields.Decimal(as_string=False, places=2)


class CountDetailSchema(CountSchema):
    lines = fields.List(fields.Nested(CountLineSchema))


CountPageSchema = page_of(CountSchema, "CountPageSchema")
