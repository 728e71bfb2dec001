"""Exact quantities: how many decimal places an item's quantities may take, checked once."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.errors import ValidationFailed
from app.limits import MAX_DECIMALS

__all__ = ["DIGITS_MESSAGE", "MAX_DECIMALS", "check_places", "places", "read_decimal", "show"]

DIGITS_MESSAGE = "Write the number with the digits 0-9."


def read_decimal(text: str) -> Decimal:
    """The number written in `text` with ASCII digits (surrounding spaces allowed). Raises
    InvalidOperation otherwise: Decimal() itself reads every script's digits ("\u0663" is 3),
    which nobody typing a quantity means and no spreadsheet writes."""
    text = text.strip()
    if not text.isascii():
        raise InvalidOperation(DIGITS_MESSAGE)
    return Decimal(text)


def places(quantity: Decimal | int) -> int:
    """Decimal places a quantity really uses (2.50 uses one)."""
    if isinstance(quantity, int):
        return 0
    exponent = quantity.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_places(item, quantity: Decimal | int, field_name: str = "quantity") -> None:
    """Raises ValidationFailed naming `field_name` when `quantity` has more places than `item` allows."""
    if places(quantity) > item.decimals:
        allowed = "whole numbers only" if item.decimals == 0 else f"at most {item.decimals} decimal place(s)"
        raise ValidationFailed(
            f"{item.sku} is counted in {item.unit} with {allowed}; {quantity} was not rounded, it was refused.",
            fields={field_name: [f"Use {allowed} for this item."]},
        )


def show(
    quantity: Decimal | int | float | None, unit: str | None = None, *, sign: bool = False, grouped: bool = True
) -> str:
    """A quantity as people read it, the one way every page, PDF, email and toast writes it:
    5, 2.25, 1,234.5 (never 2.250, 281.0 or 5E+1), then the unit when given ("10.5 m").

    grouped=False: no thousands separators, for a spreadsheet cell or a form field's value.
    sign: a change, "+40.25" or "−12.75" (a minus sign, not a hyphen). Its twin for live
    updates is showQuantity() in app/static/js/quantities.js.
    """
    if quantity is None:
        return ""
    if isinstance(quantity, float):
        quantity = Decimal(repr(quantity))
    if isinstance(quantity, int):
        text = format(abs(quantity), "," if grouped else "")
    else:
        value = abs(quantity).normalize()
        whole = value == value.to_integral_value()
        text = format(int(value) if whole else value, ("," if grouped else "") + ("" if whole else "f"))
    if quantity < 0:
        text = ("−" if sign else "-") + text
    elif sign and quantity > 0:
        text = "+" + text
    return f"{text} {unit}" if unit else text
