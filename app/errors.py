"""Domain exceptions, and the one handler that answers them as JSON (API) or a page."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.extra = extra


class AuthenticationRequired(DomainError):
    status = 401
    code = "unauthorized"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class DuplicateValue(Conflict):
    code = "duplicate"


class InUse(Conflict):
    code = "in_use"


class StaleVersion(Conflict):
    code = "version_conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class ItemHasStock(Conflict):
    """An item's tracking changes only while it holds no stock (issue 27)."""

    code = "item_has_stock"


class LotExpiryMismatch(Conflict):
    code = "lot_expiry_mismatch"


class LotBlocked(Conflict):
    """A blocked (quarantined) lot is never picked or withdrawn."""

    code = "lot_blocked"


class OnlyExpiredStock(InsufficientStock):
    """Only expired lots would cover the quantity (a manager may pass allow_expired)."""

    code = "only_expired_stock"


class SerialInStock(Conflict):
    code = "serial_in_stock"


class SerialNotHere(Conflict):
    code = "serial_not_here"


class InvalidState(Conflict):
    """The thing is not in a state that allows this (a request already decided, say)."""

    code = "invalid_state"


class AlreadyCounted(Conflict):
    """A count line already has a quantity: say whether to add to it or replace it."""

    code = "already_counted"


class TooManyAttempts(DomainError):
    """Refused by a limit (app/services/login_limits.py); `retry_after` seconds become Retry-After."""

    status = 429
    code = "rate_limited"


class QueueUnavailable(DomainError):
    """The job queue (the Celery broker) could not take the job; nothing was changed."""

    status = 503
    code = "queue_unavailable"


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path in ("/health", "/metrics"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return {"error": body}


def _flatten_webargs_messages(messages: dict) -> dict:
    """webargs nests errors by location ({"json": {...}}); clients want field -> messages."""
    fields: dict = {}
    for location, errs in messages.items():
        if isinstance(errs, dict):
            for name, msgs in errs.items():
                fields[str(name)] = msgs
        else:
            fields[location if location != "json" else "body"] = errs
    return fields


def _render(status: int, code: str, message: str, fields: dict | None = None, **extra: Any):
    if wants_json():
        return jsonify(error_body(code, message, fields, **extra)), status
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"
    try:
        return render_template(template, status=status, code=code, message=message, fields=fields), status
    except Exception:  # a broken template must not hide the original error
        log.exception("error page failed to render")
        return Response(f"{status} {message}", mimetype="text/plain"), status


def handle_domain_error(exc: DomainError):
    if exc.status == 401 and not wants_json():
        return _redirect_to_login()
    body, status = _render(exc.status, exc.code, exc.message, exc.fields, **exc.extra)[:2]
    retry_after = exc.extra.get("retry_after")
    return body, status, [("Retry-After", str(retry_after))] if retry_after is not None else []


def _redirect_to_login():
    """Pages: send the visitor to the login form, coming back here afterwards (htmx: a full reload)."""
    from urllib.parse import urlsplit

    from flask import redirect, url_for

    if request.headers.get("HX-Request"):
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        target = current.path + ("?" + current.query if current.query else "")
        return Response(status=204, headers={"HX-Redirect": url_for("auth.login", next=target or None)})
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages and status in (400, 422):
        # Malformed JSON and schema failures alike are invalid input: 422 naming the fields.
        return _render(422, "validation_error", "The request has invalid fields.", _flatten_webargs_messages(messages))
    code = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        415: "unsupported_media_type",
        429: "rate_limited",
    }.get(status, "http_error")
    message = exc.description if isinstance(exc.description, str) else exc.name
    body, status = _render(status, code, message)[:2]
    allow = [(name, value) for name, value in exc.get_headers() if name in ("Allow", "Retry-After")]
    return body, status, allow


def handle_database_unavailable(exc: Exception):
    """No connection free in the pool, the database unreachable or a transient lock failure:
    the request changed nothing (its transaction rolled back), so the caller may retry."""
    log.exception("database unavailable on %s %s", request.method, request.path)
    body, status = _render(503, "service_unavailable", "The database is busy or unreachable; retry shortly.")[:2]
    return body, status, [("Retry-After", "1")]


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(500, "internal_error", "Something went wrong on our side; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(sa_exc.TimeoutError, handle_database_unavailable)
    app.register_error_handler(sa_exc.OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
