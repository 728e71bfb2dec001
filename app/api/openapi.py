"""The OpenAPI document tells the truth about errors: every operation lists the error answers
it can give (401, 403, 404, 409, 422 and a default), each with the real `{"error": {...}}` body
(app.schemas.common.ErrorSchema) instead of flask-smorest's own error shape."""

from __future__ import annotations

from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import fields, validate

# The API refuses a NUL byte in any string (app/input_guard.py); the document says so, so
# generated clients and fuzzers know. Fields with a pattern of their own already exclude it.
from app.limits import NO_NUL_PATTERN, NOT_BLANK_PATTERN
from app.schemas.common import Text

WRITES = {"post", "put", "patch", "delete"}


class ErrorResponses(BasePlugin):
    """Adds the error answers to each operation as references to flask-smorest's per-status
    responses (UNAUTHORIZED, FORBIDDEN...), which it builds from Api.ERROR_SCHEMA."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            wanted = {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "422": "UNPROCESSABLE_ENTITY"}
            if "{" in (path or ""):
                wanted["404"] = "NOT_FOUND"
            if method in WRITES:
                wanted["409"] = "CONFLICT"
            for status, name in wanted.items():
                responses.setdefault(status, name)
            responses.setdefault("default", "DEFAULT_ERROR")

    def schema_helper(self, name, definition, **kwargs) -> dict | None:
        """A schema's own rule about its whole body (`OPENAPI = {"minProperties": 1}`: a PATCH that
        refuses `{}`), which marshmallow's fields cannot state."""
        schema = kwargs.get("schema")
        return dict(getattr(resolve_schema_cls(schema), "OPENAPI", {})) if schema is not None else None


def no_nul_pattern(self, field: fields.Field, ret: dict, **kwargs) -> dict:
    """apispec attribute function: a string field without a pattern gets NO_NUL_PATTERN, or
    NOT_BLANK_PATTERN for a Text that must say something (Text strips whitespace, then a
    required one or one of at least 1 character refuses what is left blank)."""
    if isinstance(field, fields.String) and not isinstance(field, fields.Email | fields.URL) and "pattern" not in ret:
        return {"pattern": NOT_BLANK_PATTERN if _must_say_something(field) else NO_NUL_PATTERN}
    return {}


def _must_say_something(field: fields.Field) -> bool:
    if not isinstance(field, Text):
        return False
    lengths = [v for v in field.validators if isinstance(v, validate.Length) and (v.min or 0) >= 1]
    return field.required or bool(lengths)


def length_in_branches(self, field: fields.Field, ret: dict, **kwargs) -> dict:
    """apispec attribute function: a field whose `anyOf` branches carry their own lengths (a
    supplier's email: an address of at most 254 characters, or blank of any length, since Text
    strips before the length is checked) drops the field-wide maxLength of its validator."""
    if field.metadata.get("x-length-in-branches"):
        ret.pop("maxLength", None)
    return {}


def closed_mapping(self, field: fields.Field, ret: dict, **kwargs) -> dict:
    """apispec attribute function: a Dict whose metadata names its keys keeps `additionalProperties:
    false` (apispec's own Dict conversion, run after the metadata, would open it to any key)."""
    if isinstance(field, fields.Dict) and "additionalProperties" in field.metadata:
        return {"additionalProperties": field.metadata["additionalProperties"]}
    return {}
