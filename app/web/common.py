"""Helpers shared by the page blueprints: the one error path for service calls, paging, names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from flask import flash, request
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.limits import MAX_QUANTITY

PER_PAGE_CHOICES = (10, 20, 50, 100)

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a service call run by `attempt` gave: its value, or the domain error it raised."""

    value: T | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The HTTP status to re-render a form with: 200, or the error's (422, 409...)."""
        return self.error.status if self.error else 200


def attempt(
    call: Callable[[], T],
    form: FlaskForm | None = None,
    *,
    fallback_field: str | None = None,
    message: Callable[[DomainError], str] | None = None,
    category: str = "error",
    quiet: bool = False,
) -> Outcome[T]:
    """Run one service call for a page; the only place page handlers catch domain errors.

    A domain error's field messages go next to the form's matching fields; one naming no
    field of the form goes on `fallback_field` when given, else into a flash message
    (`message(exc)` or the error's own text). `quiet` leaves showing it to the caller.
    Anything that is not a DomainError falls through to the one error handler
    (app/errors.py). A page whose subject is named in its URL loads it before calling,
    so a missing subject is a 404 page there, not a message here.
    """
    try:
        return Outcome(value=call())
    except DomainError as exc:
        if not quiet:
            placed = apply_error(form, exc) if form is not None else False
            if not placed and fallback_field is not None and form is not None:
                getattr(form, fallback_field).errors = [*getattr(form, fallback_field).errors, exc.message]
            elif not placed:
                flash(message(exc) if message else exc.message, category)
        return Outcome(error=exc)


def apply_error(form: FlaskForm, exc: DomainError) -> bool:
    """Put a service's field errors next to the matching fields; True when any was placed."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [
                str(m) for m in (messages if isinstance(messages, list) else [messages])
            ]
            placed = True
    return placed


def is_safe_next(target: str | None) -> bool:
    """A local path only: no scheme, no host, no protocol-relative '//'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def int_arg(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_QUANTITY) -> int | None:
    raw = request.args.get(name, "").strip()
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if minimum <= value <= maximum else default


def page_links(page: Any, window: int = 2) -> list[int | None]:
    """Page numbers to show, with None where a gap is."""
    if page.pages <= 1:
        return []
    shown = {1, page.pages} | set(range(max(1, page.page - window), min(page.pages, page.page + window) + 1))
    links: list[int | None] = []
    for number in sorted(shown):
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def format_when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
