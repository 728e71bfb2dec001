"""The location form: create, edit or move."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.limits import (
    ADDRESS_LENGTH,
    CATALOG_NAME_LENGTH,
    DESCRIPTION_LENGTH,
    MAX_COUNT_FREQUENCY_DAYS,
    range_message,
)
from app.services import locations as service

FREQUENCY_MESSAGE = range_message(1, MAX_COUNT_FREQUENCY_DAYS, "a number of days")


class LocationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=CATALOG_NAME_LENGTH)])
    parent_id = SelectField("Inside", coerce=str, validators=[Optional()])
    is_structural = BooleanField("Structural (a site, an aisle: groups locations, holds no stock)")
    address = StringField("Address", validators=[Optional(), Length(max=ADDRESS_LENGTH)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=DESCRIPTION_LENGTH)])
    count_frequency_days = IntegerField(
        "Count every N days (cycle counting)",
        validators=[Optional(), NumberRange(min=1, max=MAX_COUNT_FREQUENCY_DAYS, message=FREQUENCY_MESSAGE)],
    )

    def set_parents(self, exclude_id: int | None = None) -> None:
        paths = service.location_paths()
        self.parent_id.choices = [("", "— Top level (a site) —")] + [
            (str(i), path) for i, path in paths.items() if i != exclude_id
        ]

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "parent_id": int(self.parent_id.data) if self.parent_id.data else None,
            "is_structural": bool(self.is_structural.data),
            "address": (self.address.data or "").strip() or None,
            "description": (self.description.data or "").strip() or None,
            "count_frequency_days": self.count_frequency_days.data,
        }
