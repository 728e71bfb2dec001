"""Money as people read it: the shop's currency (CURRENCY_CODE, CURRENCY_SYMBOL in app/config.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, has_app_context

DEFAULT_CODE = "USD"
DEFAULT_SYMBOL = "$"


def currency() -> tuple[str, str]:
    """(code, symbol) of the configured currency."""
    if not has_app_context():
        return DEFAULT_CODE, DEFAULT_SYMBOL
    config = current_app.config
    return config.get("CURRENCY_CODE") or DEFAULT_CODE, config.get("CURRENCY_SYMBOL") or DEFAULT_SYMBOL


def format_money(value: Any) -> str:
    """ "$1,234.50" (or "€1,234.50", "CHF1,234.50" per the setting); non-numbers unchanged."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    symbol = currency()[1]
    return f"-{symbol}{-amount:,.2f}" if amount < 0 else f"{symbol}{amount:,.2f}"
