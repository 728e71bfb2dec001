"""Form helpers shared by every page package: field builders over app.limits, coercion, button forms.

A page's form states its fields with these, so a page and the API (app/schemas) accept
the same input: the limits and patterns live once, in app/limits.py.
"""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.limits import MAX_QUANTITY, QUANTITY_MESSAGE


def optional_int(value: object) -> int | None:
    """SelectField coercion: a chosen id, or None for the blank choice."""
    return int(value) if value not in (None, "", "None") else None


def quantity_field(label: str = "Quantity") -> IntegerField:
    """A whole number of units to move or ask for: 1 to MAX_QUANTITY."""
    return IntegerField(
        label,
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(1, MAX_QUANTITY, QUANTITY_MESSAGE),
        ],
    )


class EmptyForm(FlaskForm):
    """Only the CSRF token: remove, clear, confirm and similar buttons."""


def checked(form: FlaskForm) -> bool:
    """Validate a button's form; say so when it fails (an expired page's CSRF token, mostly)."""
    if form.validate():
        return True
    flash(" ".join(e for errors in form.errors.values() for e in errors) or "The form expired; try again.", "error")
    return False
