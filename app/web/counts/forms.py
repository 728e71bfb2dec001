"""Forms of the count pages; the rules live in app.services.counts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.limits import LOOKUP_LENGTH, LOT_CODE_LENGTH, SKU_LIST_LENGTH
from app.web.forms import ItemField, LocationField, amount_field, optional_int


class OpenCountForm(FlaskForm):
    location_id = LocationField(
        "Location (with everything inside it)", holding_stock=False, validators=[InputRequired("Choose a location.")]
    )
    category_id = SelectField("Only this category", coerce=optional_int, validate_choice=False, validators=[Optional()])
    item_id = ItemField("Only this item", validators=[Optional()])
    skus = StringField("Only these items (SKUs, comma separated)", validators=[Optional(), Length(max=SKU_LIST_LENGTH)])
    blind = BooleanField("Blind count (staff do not see the expected quantities)")


class LineForm(FlaskForm):
    item = StringField(
        "Item (scan, or type its SKU or code)",
        validators=[DataRequired("Scan or type an item."), Length(max=LOOKUP_LENGTH)],
    )
    location_id = LocationField("Location", validators=[InputRequired("Choose where you counted.")])
    counted = amount_field("Quantity found")
    lot = StringField("Lot (lot-tracked items)", validators=[Optional(), Length(max=LOT_CODE_LENGTH)])
    mode = HiddenField()


class ApproveForm(FlaskForm):
    zero_uncounted = BooleanField("Not counted means zero (set lines nobody counted to 0)")


class RecountForm(FlaskForm):
    line_ids = SelectMultipleField("Lines", coerce=int, choices=[], validate_choice=False)
