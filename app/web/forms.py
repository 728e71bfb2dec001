"""Form helpers shared by every page package: field builders over app.limits, coercion, button forms.

A page's form states its fields with these, so a page and the API (app/schemas) accept
the same input: the limits and patterns live once, in app/limits.py.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash
from flask_wtf import FlaskForm
from wtforms import DecimalField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from app.limits import MAX_DECIMALS, MAX_QUANTITY, QUANTITY_MESSAGE, QUANTITY_OR_ZERO_MESSAGE
from app.services.quantities import DIGITS_MESSAGE, places


class NumberField(DecimalField):
    """A DecimalField that reads the digits 0-9 only: Decimal() would take "\u0663" for 3."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] and not valuelist[0].isascii():
            self.data = None
            raise ValueError(DIGITS_MESSAGE)
        super().process_formdata(valuelist)


def optional_int(value: object) -> int | None:
    """SelectField coercion: a chosen id, or None for the blank choice."""
    return int(value) if value not in (None, "", "None") else None


def amount_field(
    label: str, *, positive: bool = False, required: str | None = "Enter a quantity.", **kw
) -> NumberField:
    """A quantity typed on a page: read exactly (Decimal, never float), 0 (or above 0 when
    `positive`) to MAX_QUANTITY, at most MAX_DECIMALS places here; the item's own decimal
    places are checked by the services (app/services/quantities.py) and shown next to the field."""
    low = NumberRange(min=0, max=MAX_QUANTITY, message=QUANTITY_OR_ZERO_MESSAGE)
    if positive:
        low = NumberRange(min=Decimal("0.001"), max=MAX_QUANTITY, message=QUANTITY_MESSAGE)
    first = InputRequired(required) if required else Optional()
    return NumberField(label, places=None, validators=[first, low, _at_most_max_places], **kw)


def _at_most_max_places(form, field) -> None:
    if field.data is not None and places(field.data) > MAX_DECIMALS:
        raise ValidationError(f"Use at most {MAX_DECIMALS} decimal places.")


def quantity_field(label: str = "Quantity") -> NumberField:
    """A quantity to move or ask for: above 0, at most MAX_QUANTITY and MAX_DECIMALS places."""
    return amount_field(label, positive=True)


class EmptyForm(FlaskForm):
    """Only the CSRF token: remove, clear, confirm and similar buttons."""


def checked(form: FlaskForm) -> bool:
    """Validate a button's form; say so when it fails (an expired page's CSRF token, mostly)."""
    if form.validate():
        return True
    flash(" ".join(e for errors in form.errors.values() for e in errors) or "The form expired; try again.", "error")
    return False
