"""Forms of the cart page; the rules live in app.services.carts and app.services.requests."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.web.items.forms import amount_field


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _quantity():
    return amount_field("Quantity", positive=True)


class AddToCartForm(FlaskForm):
    item_id = HiddenField(validators=[InputRequired()])
    quantity = _quantity()
    location_id = SelectField("From", coerce=optional_int, validate_choice=False)
    next = HiddenField()


class LineForm(FlaskForm):
    quantity = _quantity()
    location_id = SelectField("From", coerce=optional_int, validate_choice=False)


class SubmitForm(FlaskForm):
    kind = SelectField("Kind", choices=[("pick", "Pick (stock leaves)"), ("transfer", "Transfer to a location")])
    destination_location_id = SelectField("Destination", coerce=optional_int, validate_choice=False)
    needed_by = DateField("Needed by", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class EmptyForm(FlaskForm):
    """Only the CSRF token: remove, clear and similar buttons."""
