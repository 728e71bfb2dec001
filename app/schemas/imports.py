"""Imports' request bodies and their JSON answer."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from app.models import Import
from app.schemas.common import BodySchema, Flag
from app.services.imports import runs as imports
from app.services.imports.rows import FIELDS

OPTIONS = ("create_categories", "create_locations")


class ImportSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    filename = fields.String()
    file_format = fields.String()
    sheet = fields.String(allow_none=True)
    sheets = fields.List(fields.String())
    columns = fields.List(fields.String(), metadata={"description": "The headers found, in order."})
    mapping = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": "{header: field}"})
    fields_available = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")
    options = fields.Dict(keys=fields.String(), values=fields.Boolean())
    on_error = fields.String()
    message = fields.String(allow_none=True)
    total_rows = fields.Integer()
    processed_rows = fields.Integer()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "created, updated, unchanged, errors"}
    )
    applied = fields.Dict(keys=fields.String(), values=fields.Integer())
    rate = fields.Float(allow_none=True, metadata={"description": "Rows per second while running."})
    seconds_left = fields.Float(allow_none=True)
    ledger_request_id = fields.String(metadata={"description": "The ledger rows of this import carry this request_id."})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


def dump_import(record: Import) -> dict[str, Any]:
    data = {name: getattr(record, name) for name in ImportSchema._declared_fields if hasattr(Import, name)}
    data.update(imports.progress(record), fields_available=FIELDS, ledger_request_id=imports.ledger_tag(record.id))
    return ImportSchema().dump(data)


class MappingSchema(BodySchema):
    mapping = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True, validate=validate.OneOf(list(FIELDS))),
        required=True,
        metadata={"description": "{column header: field}; a null or absent header is ignored."},
    )
    options = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(OPTIONS))),
        values=Flag(),
        metadata={"properties": {name: {"type": "boolean"} for name in OPTIONS}, "additionalProperties": False},
    )


class RunSchema(BodySchema):
    on_error = fields.String(load_default="stop", validate=validate.OneOf(["stop", "skip"]))
