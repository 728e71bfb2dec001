"""The OpenAPI document tells the truth about errors: every operation lists the error answers
it can give (401, 403, 404, 409, 422 and a default), each with the real `{"error": {...}}` body
(app.schemas.common.ErrorSchema) instead of flask-smorest's own error shape."""

from __future__ import annotations

from apispec import BasePlugin
from marshmallow import fields

# The API refuses a NUL byte in any string (app/input_guard.py); the document says so, so
# generated clients and fuzzers know. Fields with a pattern of their own already exclude it.
from app.limits import NO_NUL_PATTERN

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


def no_nul_pattern(self, field: fields.Field, ret: dict, **kwargs) -> dict:
    """apispec attribute function: a string field without a pattern gets NO_NUL_PATTERN."""
    if isinstance(field, fields.String) and not isinstance(field, fields.Email | fields.URL) and "pattern" not in ret:
        return {"pattern": NO_NUL_PATTERN}
    return {}
