"""Forms of the import pages: the upload and the column mapping."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import Length, Optional

from app.limits import SHEET_NAME_LENGTH


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (CSV or XLSX)", validators=[FileRequired("Choose a CSV or XLSX file.")])
    sheet = StringField(
        "Sheet (XLSX; the first one when empty)", validators=[Optional(), Length(max=SHEET_NAME_LENGTH)]
    )
    create_categories = BooleanField("Create missing categories")
    create_locations = BooleanField("Create missing locations (from their path)")


class MappingForm(FlaskForm):
    """One select per column is read from the request (map-<n>); these are the options."""

    create_categories = BooleanField("Create missing categories")
    create_locations = BooleanField("Create missing locations (from their path)")


class RunForm(FlaskForm):
    on_error = RadioField(
        "When a row fails",
        choices=[
            ("stop", "Stop at the first error, change nothing"),
            ("skip", "Import the valid rows, skip the others"),
        ],
        default="stop",
    )


class ButtonForm(FlaskForm):
    pass
