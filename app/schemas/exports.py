"""Query strings of the export endpoints: the list's own filters, a format, a date range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from marshmallow import ValidationError, fields, validate

from app.limits import DATE_PATTERN, DATE_TIME_PATTERN
from app.schemas.common import QueryId, QuerySchema, check_offset
from app.schemas.item import ItemQuerySchema
from app.services.exports import FORMATS

_format = {"load_default": "csv", "validate": validate.OneOf(FORMATS)}


class When(fields.Field):
    """A day (2026-03-01) or an ISO date-time; a day given as `to` means its end."""

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        day = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        moment = {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}
        kwargs["metadata"] = {"anyOf": [day, moment], **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if self.end else time.min, tzinfo=UTC)
        except ValueError:
            pass
        check_offset(text)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError("Use a date (2026-03-01) or an ISO date-time.") from exc
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ItemExportQuerySchema(ItemQuerySchema):
    """The list's filters and sort (page and per_page are ignored: every matching row is written)."""

    format = fields.String(**_format)


class LogExportQuerySchema(QuerySchema):
    format = fields.String(**_format)
    since = When(data_key="from")
    until = When(data_key="to", end=True)


class FormatQuerySchema(QuerySchema):
    format = fields.String(**_format)


class StockExportQuerySchema(FormatQuerySchema):
    location_id = QueryId()
