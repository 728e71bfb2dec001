"""Suppliers, offers, purchase orders and reorder suggestions: input validation and JSON output."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from app.limits import (
    CONTACT_LENGTH,
    EMAIL_LENGTH,
    LEAD_TIME_MESSAGE,
    MAX_LEAD_TIME_DAYS,
    MAX_ORDER_LINES,
    MAX_PRICE,
    NOTES_LENGTH,
    PHONE_LENGTH,
    PRICE_MESSAGE,
    SUPPLIER_EMAIL_PATTERN,
    SUPPLIER_NAME_LENGTH,
    SUPPLIER_SKU_LENGTH,
    UNIT_PRICE_PLACES,
)
from app.models import OrderState
from app.schemas.common import (
    Amount,
    BodySchema,
    Count,
    Flag,
    Id,
    PageQuerySchema,
    Quantity,
    QueryId,
    QuerySchema,
    Text,
    page_of,
)
from app.schemas.item import RestockSchema


class UnitPrice(Amount):
    """A price per unit: 0 to MAX_PRICE with at most four decimal places (fractions of a cent)."""

    max_places = UNIT_PRICE_PLACES

    default_error_messages = {  # noqa: RUF012
        "invalid": "Not a valid number.",
        "places": f"At most {UNIT_PRICE_PLACES} decimal places.",
    }

    def __init__(self, **kwargs) -> None:
        metadata = {"multipleOf": 0.0001, "minimum": 0, "maximum": MAX_PRICE, **kwargs.pop("metadata", {})}
        super().__init__(
            validate=validate.Range(min=0, max=MAX_PRICE, error=PRICE_MESSAGE), metadata=metadata, **kwargs
        )


_email_validators = [validate.Length(max=EMAIL_LENGTH)]  # the address itself: suppliers service


class SupplierCreateSchema(BodySchema):
    name = Text(required=True, validate=validate.Length(min=1, max=SUPPLIER_NAME_LENGTH))
    contact = Text(allow_none=True, validate=validate.Length(max=CONTACT_LENGTH))
    email = Text(
        allow_none=True,
        validate=_email_validators,
        # The suppliers service's rule: blank means none, anything else is an address (marshmallow's Email).
        metadata={
            "anyOf": [
                {"type": "string", "format": "email", "maxLength": EMAIL_LENGTH, "pattern": SUPPLIER_EMAIL_PATTERN},
                {"type": "string", "pattern": r"^\s*$"},
            ],
            "x-length-in-branches": True,
        },
    )
    phone = Text(allow_none=True, validate=validate.Length(max=PHONE_LENGTH))
    lead_time_days = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_LEAD_TIME_DAYS, error=LEAD_TIME_MESSAGE)
    )
    notes = fields.String(allow_none=True, validate=validate.Length(max=NOTES_LENGTH))


class SupplierPatchSchema(SupplierCreateSchema):
    name = Text(validate=validate.Length(min=1, max=SUPPLIER_NAME_LENGTH))
    lead_time_days = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=MAX_LEAD_TIME_DAYS, error=LEAD_TIME_MESSAGE)
    )


class SupplierQuerySchema(QuerySchema):
    search = fields.String(validate=validate.Length(max=SUPPLIER_NAME_LENGTH))


class SupplierSchema(BodySchema):
    id = fields.Integer()
    name = fields.String()
    contact = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    lead_time_days = fields.Integer()
    notes = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class OfferPatchSchema(BodySchema):
    supplier_sku = Text(allow_none=True, validate=validate.Length(max=SUPPLIER_SKU_LENGTH))
    pack_size = Quantity()
    unit_price = UnitPrice()
    min_order_quantity = Count()
    preferred = Flag()


class OfferCreateSchema(OfferPatchSchema):
    supplier_id = Id(required=True)


class OfferSchema(BodySchema):
    id = fields.Integer()
    item_id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.Function(lambda o: o.supplier.name)
    supplier_sku = fields.String(allow_none=True)
    pack_size = Amount()
    unit_price = Amount(metadata={"multipleOf": 0.0001})
    min_order_quantity = Amount()
    preferred = fields.Boolean()


class OrderLineInSchema(BodySchema):
    item_id = Id(required=True)
    quantity = Quantity(required=True)
    unit_price = UnitPrice(allow_none=True, metadata={"description": "The supplier's offer price when omitted."})


class OrderCreateSchema(BodySchema):
    supplier_id = Id(required=True)
    expected_date = fields.Date(
        allow_none=True, metadata={"description": "Today plus the supplier's lead time when omitted."}
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTES_LENGTH))
    allow_over_receipt = Flag()
    lines = fields.List(
        fields.Nested(OrderLineInSchema), load_default=list, validate=validate.Length(max=MAX_ORDER_LINES)
    )


class OrderPatchSchema(BodySchema):
    OPENAPI = {"minProperties": 1}  # noqa: RUF012 - app/api/openapi.py adds it to the document
    supplier_id = Id()
    expected_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTES_LENGTH))
    allow_over_receipt = Flag(metadata={"description": "Managers may allow it on a sent order too."})
    lines = fields.List(fields.Nested(OrderLineInSchema), validate=validate.Length(max=MAX_ORDER_LINES))

    @validates_schema
    def _something(self, data: dict, **_kwargs) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.", field_name="body")


class OrderQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf([s.value for s in OrderState]))
    supplier_id = QueryId()


class FromSuggestionsSchema(BodySchema):
    item_ids = fields.List(
        Id(),
        allow_none=True,
        validate=validate.Length(min=1, max=MAX_ORDER_LINES),
        metadata={"description": "The suggested items to order; every suggestion when omitted."},
    )


class ReceiptLineSchema(BodySchema):
    line_id = Id(required=True)
    quantity = Quantity(required=True)
    location_id = Id(required=True, metadata={"description": "The bin it goes to (a location that holds stock)."})
    # Tracked items (issue 27): the lot that arrived (and its expiry), or the units' serials.
    lot = RestockSchema._declared_fields["lot"]
    expires_on = RestockSchema._declared_fields["expires_on"]
    serials = RestockSchema._declared_fields["serials"]


class ReceiveSchema(BodySchema):
    lines = fields.List(
        fields.Nested(ReceiptLineSchema), required=True, validate=validate.Length(min=1, max=MAX_ORDER_LINES)
    )


class OrderLineSchema(BodySchema):
    id = fields.Integer()
    item_id = fields.Integer()
    sku = fields.Function(lambda line: line.item.sku)
    name = fields.Function(lambda line: line.item.name)
    unit = fields.Function(lambda line: line.item.unit)
    item_deleted = fields.Function(lambda line: line.item.is_deleted)
    quantity = Amount()
    unit_price = Amount(metadata={"multipleOf": 0.0001})
    received = Amount()
    remaining = Amount()


class OrderSchema(BodySchema):
    id = fields.Integer()
    supplier_id = fields.Integer()
    supplier_name = fields.Function(lambda o: o.supplier.name)
    state = fields.String()
    expected_date = fields.Date(allow_none=True)
    allow_over_receipt = fields.Boolean()
    note = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    sent_to = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


def _total(order) -> object:
    from app.models.base import normalise
    from app.services.purchasing.orders import order_total

    return normalise(order_total(order))


class OrderDetailSchema(OrderSchema):
    lines = fields.List(fields.Nested(OrderLineSchema))
    total = fields.Function(
        _total, metadata={"type": "number", "multipleOf": 0.000001, "description": "Sum of quantity x unit price."}
    )


OrderPageSchema = page_of(OrderSchema, "OrderPageSchema")


class SuggestionQuerySchema(QuerySchema):
    supplier_id = QueryId()
    item_id = QueryId()


class SuggestionSupplierSchema(BodySchema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    lead_time_days = fields.Integer()


class SuggestionLineSchema(BodySchema):
    item_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    on_hand = Amount()
    on_order = Amount()
    reorder_point = Amount()
    suggested_quantity = Amount()
    days_of_cover = fields.Float(allow_none=True, metadata={"description": "None: no withdrawals in 90 days."})
    expected_arrival = fields.Date(allow_none=True)


class SuggestionGroupSchema(BodySchema):
    supplier = fields.Nested(SuggestionSupplierSchema, allow_none=True)
    lines = fields.List(fields.Nested(SuggestionLineSchema))


class SuggestionsSchema(BodySchema):
    groups = fields.List(fields.Nested(SuggestionGroupSchema))
