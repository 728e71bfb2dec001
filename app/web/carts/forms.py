"""Forms of the cart page; the rules live in app.services.requests.carts and app.services.requests.workflow."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.limits import REQUEST_NOTE_LENGTH
from app.web.forms import EmptyForm, ItemField, LocationField, optional_int, quantity_field

__all__ = ["AddToCartForm", "CartAddForm", "EmptyForm", "LineForm", "SubmitForm"]


class AddToCartForm(FlaskForm):
    """ "Add to cart" on an item's row or page: the item is fixed, the place one of its stock rows."""

    item_id = ItemField("Item", validators=[InputRequired("Choose an item.")])
    quantity = quantity_field()
    location_id = SelectField("From", coerce=optional_int, validate_choice=False)
    next = HiddenField()


class CartAddForm(FlaskForm):
    """The cart page's own "Add a line" (prefix "add"): any item and place, each chosen with its picker."""

    item_id = ItemField("Item", validators=[InputRequired("Choose an item.")])
    quantity = quantity_field()
    location_id = LocationField("From (empty: the item's home)")


class LineForm(FlaskForm):
    quantity = quantity_field()
    location_id = LocationField("From")


class SubmitForm(FlaskForm):
    kind = SelectField("Kind", choices=[("pick", "Pick (stock leaves)"), ("transfer", "Transfer to a location")])
    destination_location_id = LocationField("Destination")
    needed_by = DateField("Needed by", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=REQUEST_NOTE_LENGTH)])
