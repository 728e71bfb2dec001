"""Input no layer below can store or parse is refused up front with a 422 (or 413) naming the
field, never a 500: NUL bytes (PostgreSQL text cannot hold them), lone UTF-16 surrogates (not
encodable as UTF-8), time-zone offsets beyond ±15:59 (PostgreSQL's limit), JSON nested deeper
than any of our bodies (Python's parser would overflow its stack), bodies over MAX_CONTENT_LENGTH.

Two nets: a before-request check of the query string and JSON bodies (it knows the names the
caller used), and a check of every statement's parameters at the engine, which catches the
same values arriving any other way (a page form's field) as a ValidationFailed that pages
show next to the field of that name.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import NotFound, RequestEntityTooLarge, RequestHeaderFieldsTooLarge, RequestURITooLarge

from app.errors import ValidationFailed
from app.limits import (
    MAX_HEADER_FIELD,
    MAX_HEADER_FIELDS,
    MAX_JSON_DEPTH,
    MAX_OFFSET,
    MAX_REQUEST_LINE,
    OFFSET_MESSAGE,
)

NUL_MESSAGE = "Must not contain a NUL character."
SURROGATE_MESSAGE = "Must be valid Unicode text (it holds a lone UTF-16 surrogate)."
_BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
_BIND_SUFFIX = re.compile(r"_\d+$")  # SQLAlchemy names a WHERE clause's parameter email_1, name_2 ...


def problem_with(value: Any) -> str | None:
    """Why `value` cannot be stored, or None."""
    if isinstance(value, str):
        found = _BAD_CHARACTERS.search(value)
        if found:
            return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE
    elif isinstance(value, datetime) and value.utcoffset() is not None and abs(value.utcoffset()) > MAX_OFFSET:
        return OFFSET_MESSAGE
    return None


def _first_problem(value: Any, path: str, depth: int = 0) -> tuple[str, str] | None:
    """(field path, message) for the first bad string or key in a parsed JSON value."""
    if depth > MAX_JSON_DEPTH:
        return path or "body", f"Nested deeper than {MAX_JSON_DEPTH} levels."
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if problem_with(key):
                return (path or "body"), f"Holds a key that is not acceptable: {problem_with(key)}"
            found = _first_problem(item, where, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_problem(item, f"{path}.{index}" if path else str(index), depth + 1)
            if found:
                return found
    else:
        message = problem_with(value)
        if message:
            return path or "body", message
    return None


def _top_level(path: str) -> str:
    """The field the caller knows: `lines.0.note` is reported under `lines` as well as in full."""
    return path.split(".", 1)[0]


def check_size() -> None:
    """Raises RequestURITooLarge (414) or RequestHeaderFieldsTooLarge (431) at gunicorn's default
    limits: answered here rather than by gunicorn, the refusal carries the security headers."""
    target = request.environ.get("RAW_URI") or request.full_path
    if len(request.method) + len(target) + len(" HTTP/1.1") + 1 > MAX_REQUEST_LINE:
        raise RequestURITooLarge(f"The request line is longer than the {MAX_REQUEST_LINE} bytes allowed.")
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADER_FIELDS:
        raise RequestHeaderFieldsTooLarge(f"More than the {MAX_HEADER_FIELDS} header fields allowed.")
    if any(len(name) + len(value) + 2 > MAX_HEADER_FIELD for name, value in headers):
        raise RequestHeaderFieldsTooLarge(f"A header field is longer than the {MAX_HEADER_FIELD} bytes allowed.")


def check_request() -> None:
    """Raises ValidationFailed (422) naming the parameter or body field, NotFound for a NUL in the path."""
    check_size()
    if "\x00" in request.path:
        raise NotFound()
    for name, value in request.args.items(multi=True):
        message = problem_with(name) or problem_with(value)
        if message:
            raise ValidationFailed(
                f"The query parameter {name!r} is not acceptable: {message}", fields={name: [message]}
            )
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") or not request.is_json:
        return
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
    if not raw:
        return
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ValidationFailed("The JSON body is nested too deeply.", fields={"body": ["Nested too deeply."]}) from None
    except ValueError:
        return  # not JSON at all: the schema's parser says so, naming the body
    found = _first_problem(body, "")
    if found:
        path, message = found
        fields = {path: [message]}
        fields.setdefault(_top_level(path), [message])
        raise ValidationFailed(f"The field {path!r} is not acceptable: {message}", fields=fields)


def _check_parameters(_conn, _cursor, _statement, parameters, context, executemany) -> None:
    compiled = getattr(context, "compiled_parameters", None) if context is not None else None
    rows = compiled or (parameters if executemany else [parameters])
    for row in rows or ():
        items = row.items() if isinstance(row, dict) else enumerate(row or ())
        for name, value in items:
            message = problem_with(value)
            if message:
                field = _BIND_SUFFIX.sub("", str(name))
                raise ValidationFailed(f"{field} is not acceptable: {message}", fields={field: [message]})


# What a proxy says about the original request. With no trusted proxy (TRUSTED_PROXY_HOPS=0) any
# client could send them, and flask-talisman reads X-Forwarded-Proto itself (HSTS): dropped.
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
)


def ignore_forwarded(wsgi_app):
    """WSGI middleware: the request as its sender made it, without any forwarded header."""

    def without_forwarded(environ, start_response):
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return wsgi_app(environ, start_response)

    return without_forwarded


def too_large(exc: RequestEntityTooLarge):
    from app.errors import _render

    limit = request.max_content_length or 0
    message = f"The request body is larger than the {limit // 1024} KiB allowed."
    return _render(413, "payload_too_large", message, {"body": [message]})


def register_input_guard(app: Flask) -> None:
    app.before_request(check_request)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    if not event.contains(Engine, "before_cursor_execute", _check_parameters):
        event.listen(Engine, "before_cursor_execute", _check_parameters)
