"""Exact quantities: how many decimal places an item's quantities may take, checked once."""

from __future__ import annotations

from decimal import Decimal

from app.errors import ValidationFailed
from app.limits import MAX_DECIMALS

__all__ = ["MAX_DECIMALS", "check_places", "places", "show"]


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


def show(quantity: Decimal | int | None) -> str:
    """A quantity as people read it: 5, 2.25 (never 2.250 or 5E+1)."""
    if quantity is None:
        return ""
    if isinstance(quantity, int):
        return str(quantity)
    value = quantity.normalize()
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")
