"""The location form: create, edit or move."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.limits import (
    ADDRESS_LENGTH,
    CATALOG_NAME_LENGTH,
    DESCRIPTION_LENGTH,
    MAX_COUNT_FREQUENCY_DAYS,
    range_message,
)
from app.web.forms import LocationField

FREQUENCY_MESSAGE = range_message(1, MAX_COUNT_FREQUENCY_DAYS, "a number of days")


class LocationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=CATALOG_NAME_LENGTH)])
    parent_id = LocationField("Inside (empty: a new site)", holding_stock=False)
    is_structural = BooleanField("Structural (a site, an aisle: groups locations, holds no stock)")
    address = StringField("Address", validators=[Optional(), Length(max=ADDRESS_LENGTH)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=DESCRIPTION_LENGTH)])
    count_frequency_days = IntegerField(
        "Count every N days (cycle counting)",
        validators=[Optional(), NumberRange(min=1, max=MAX_COUNT_FREQUENCY_DAYS, message=FREQUENCY_MESSAGE)],
    )

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "parent_id": self.parent_id.data,
            "is_structural": bool(self.is_structural.data),
            "address": (self.address.data or "").strip() or None,
            "description": (self.description.data or "").strip() or None,
            "count_frequency_days": self.count_frequency_days.data,
        }
