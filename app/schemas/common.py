"""Schema building blocks: stripped text, quantities and ids within app/limits.py, paging, the error shape."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, validate

from app.limits import (
    DATE_TIME_PATTERN,
    MAX_DECIMALS,
    MAX_ID,
    MAX_OFFSET,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUANTITY,
    OFFSET_MESSAGE,
    QUANTITY_MESSAGE,
    QUANTITY_OR_ZERO_MESSAGE,
)
from app.models.base import normalise
from app.services.quantities import DIGITS_MESSAGE, places, read_decimal


class Text(fields.String):
    """A string with surrounding whitespace removed; blank counts as missing when required."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        text = text.strip()
        if not text and self.required:
            raise ValidationError("Must not be blank.")
        return text


class Amount(fields.Field):
    """An exact quantity: a JSON number (or a numeric string) in, a JSON number out.

    Read without binary floating point (app/jsonio.py parses 0.1 as Decimal('0.1')); at
    most MAX_DECIMALS places here, the item's own `decimals` is checked by the services.
    Written as an int when whole, so items counted in pieces look as they always did.
    """

    default_error_messages = {  # noqa: RUF012 - marshmallow's own convention
        "invalid": "Not a valid number.",
        "digits": DIGITS_MESSAGE,
        "places": f"At most {MAX_DECIMALS} decimal places.",
    }
    max_places = MAX_DECIMALS

    def __init__(self, **kwargs) -> None:
        metadata = {"type": "number", "multipleOf": 0.001, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise self.make_error("invalid")
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("digits")
        try:
            number = read_decimal(value) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not number.is_finite():
            raise self.make_error("invalid")
        if places(number) > self.max_places:
            raise self.make_error("places")
        return normalise(number)

    def _serialize(self, value, attr, obj, **kwargs):  # type: ignore[override]
        return normalise(value)


class Money(fields.Decimal):
    """A price as fields.Decimal reads it, but written with the digits 0-9 only."""

    default_error_messages = {"digits": DIGITS_MESSAGE}  # noqa: RUF012

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        if isinstance(value, str) and not value.isascii():
            raise self.make_error("digits")
        return super()._deserialize(value, attr, data, **kwargs)


def Quantity(**kwargs) -> Amount:  # noqa: N802 - reads like a field class
    """A quantity moved: more than 0, at most a billion, at most 3 decimal places."""
    metadata = {"exclusiveMinimum": True, **kwargs.pop("metadata", {})}  # apispec omits min_inclusive
    return Amount(
        validate=validate.Range(min=0, min_inclusive=False, max=MAX_QUANTITY, error=QUANTITY_MESSAGE),
        metadata=metadata,
        **kwargs,
    )


def Count(**kwargs) -> Amount:  # noqa: N802
    """A quantity that may be 0 (a count, a threshold, an initial quantity)."""
    return Amount(validate=validate.Range(min=0, max=MAX_QUANTITY, error=QUANTITY_OR_ZERO_MESSAGE), **kwargs)


class Flag(fields.Boolean):
    """A JSON body's true or false, nothing else: 0, 1 and "yes" are refused (a query string's
    booleans stay fields.Boolean, which reads "true"/"1")."""

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def Id(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def QueryId(**kwargs) -> fields.Integer:  # noqa: N802
    """An id in a query string: arrives as text, so not strict like a JSON body's Id."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class BodySchema(Schema):
    class Meta:
        unknown = RAISE


class ItemAtPlaceSchema(BodySchema):
    """The fields of a line about one item at one location (a cart or request line, a count line)."""

    id = fields.Integer()
    item_id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()
    location_id = fields.Integer()
    location_name = fields.String()


class QuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE


class PageQuerySchema(QuerySchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A `{items, total, page, per_page, pages}` envelope around `item_schema`."""
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema))})


class ErrorDetailSchema(Schema):
    """What went wrong; some errors add details (`available`, `acknowledged_at`...)."""

    class Meta:
        unknown = INCLUDE  # documented as open: extra details may follow

    code = fields.String(required=True, metadata={"example": "validation_error"})
    message = fields.String(required=True)
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        metadata={"description": "Field name -> its messages (a list, or nested for a list's entries)."},
    )


class ErrorSchema(Schema):
    """Every error the API answers: `{"error": {"code", "message", "fields"?}}`."""

    class Meta:
        unknown = RAISE

    error = fields.Nested(ErrorDetailSchema, required=True)


# A date-time's trailing offset: after the time of day, a sign, hours and maybe minutes.
_OFFSET_AT_END = re.compile(r"[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?[+-](?P<hours>\d{2}):?(?P<minutes>\d{2})?\s*$")


def check_offset(text: str) -> None:
    """Raises ValidationError for an offset no clock shows (+00:60, which the parsers read as
    +01:00) or one beyond ±15:59 (PostgreSQL's limit)."""
    found = _OFFSET_AT_END.search(text)
    if found and (int(found["hours"]) > 15 or int(found["minutes"] or 0) > 59):
        raise ValidationError(OFFSET_MESSAGE)


class Timestamp(fields.AwareDateTime):
    """A date-time with its offset, within what PostgreSQL stores (±15:59)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("default_timezone", None)
        kwargs["metadata"] = {"pattern": DATE_TIME_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        if isinstance(value, str):
            check_offset(value)
        when = super()._deserialize(value, attr, data, **kwargs)
        if when.utcoffset() is not None and abs(when.utcoffset()) > MAX_OFFSET:
            raise ValidationError(OFFSET_MESSAGE)
        return when
