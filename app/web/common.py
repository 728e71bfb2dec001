"""Helpers shared by the page blueprints: form errors from services, paging, names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import flash, request
from flask_wtf import FlaskForm

from app.errors import DomainError

PER_PAGE_CHOICES = (10, 20, 50, 100)


def apply_error(form: FlaskForm, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's field errors next to the matching fields; flash the rest."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        field = getattr(form, (aliases or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [
                str(m) for m in (messages if isinstance(messages, list) else [messages])
            ]
            placed = True
    if not placed or not exc.fields:
        flash(exc.message, "error")


def is_safe_next(target: str | None) -> bool:
    """A local path only: no scheme, no host, no protocol-relative '//'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def int_arg(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = 1_000_000_000) -> int | None:
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


def format_money(value: Any) -> str:
    try:
        return f"{Decimal(value):,.2f}"
    except Exception:
        return str(value)


def format_when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
