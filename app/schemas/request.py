"""Carts and stock requests: input validation and JSON output."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from app.limits import REQUEST_NOTE_LENGTH
from app.models import RequestKind, RequestState
from app.schemas.common import Amount, BodySchema, Id, ItemAtPlaceSchema, PageQuerySchema, Quantity, Text, page_of

_note = {"allow_none": True, "validate": validate.Length(max=REQUEST_NOTE_LENGTH)}


class CartLineCreateSchema(BodySchema):
    item_id = Id(required=True)
    quantity = Quantity(required=True)
    location_id = Id(allow_none=True, metadata={"description": "Source location; the item's home when omitted."})


class CartLinePatchSchema(BodySchema):
    OPENAPI = {"minProperties": 1}  # noqa: RUF012 - app/api/openapi.py adds it to the document
    quantity = Quantity()
    location_id = Id()

    @validates_schema
    def _something(self, data: dict, **_kwargs) -> None:
        if not data:
            raise ValidationError("Send quantity and/or location_id.", field_name="quantity")


class SubmitSchema(BodySchema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in RequestKind]))
    destination_location_id = Id(
        allow_none=True, metadata={"description": "Required for a transfer: where the stock goes."}
    )
    note = fields.String(**_note)
    needed_by = fields.Date(allow_none=True)


class RejectSchema(BodySchema):
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=REQUEST_NOTE_LENGTH),
        metadata={"minLength": 1},  # and app/api/openapi.py: NOT_BLANK_PATTERN
    )


class CancelSchema(BodySchema):
    note = fields.String(**_note)


class RequestQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf([s.value for s in RequestState]))
    kind = fields.String(validate=validate.OneOf([k.value for k in RequestKind]))
    mine = fields.Boolean(metadata={"description": "Managers: only your own requests."})
    order = fields.String(load_default="desc", validate=validate.OneOf(["asc", "desc"]))


class LineSchema(ItemAtPlaceSchema):
    quantity = Amount()
    available = Amount(metadata={"description": "Units at the source location right now."})
    short = fields.Boolean(metadata={"description": "More is asked than is available (or the item is deleted)."})


class CartSchema(BodySchema):
    id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))
    line_count = fields.Integer()
    total_quantity = Amount()
    has_short_lines = fields.Boolean()


class HistorySchema(BodySchema):
    id = fields.Integer()
    state = fields.String()
    user_id = fields.Integer(allow_none=True)
    user_email = fields.Function(lambda e: e.user.email if e.user else None)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class RequestSchema(BodySchema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    author_id = fields.Integer()
    author_email = fields.Function(lambda r: r.author.email)
    author_name = fields.Function(lambda r: r.author.full_name)
    destination_location_id = fields.Integer(allow_none=True)
    destination_location_name = fields.Function(lambda r: r.destination.path if r.destination else None)
    note = fields.String(allow_none=True)
    needed_by = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_by_email = fields.Function(lambda r: r.decided_by.email if r.decided_by else None)
    decided_at = fields.DateTime(allow_none=True)
    line_count = fields.Function(lambda r: len(r.lines))
    total_quantity = fields.Function(lambda r: sum(line.quantity for line in r.lines))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RequestDetailSchema(RequestSchema):
    lines = fields.List(fields.Nested(LineSchema))
    short_lines = fields.List(
        fields.Nested(LineSchema), metadata={"description": "While submitted: the lines approval would refuse now."}
    )
    history = fields.List(fields.Nested(HistorySchema))


RequestPageSchema = page_of(RequestSchema, "RequestPageSchema")
