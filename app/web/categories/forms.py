"""The category form: create or rename."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.limits import CATALOG_NAME_LENGTH, DESCRIPTION_LENGTH


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=CATALOG_NAME_LENGTH)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=DESCRIPTION_LENGTH)])

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "description": (self.description.data or "").strip() or None}
