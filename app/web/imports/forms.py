"""Forms of the import pages: the upload and the column mapping."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.limits import SHEET_NAME_LENGTH


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (CSV or XLSX)", validators=[FileRequired("Choose a CSV or XLSX file.")])
    sheet = StringField(
        "Sheet (XLSX; the first one when empty)", validators=[Optional(), Length(max=SHEET_NAME_LENGTH)]
    )
    create_categories = BooleanField("Create missing categories")
    create_locations = BooleanField("Create missing locations (from their path)")


class ColumnForm(Form):
    """The field one column of the file fills; empty: ignored. The import service checks the
    name (and says which are fields), so the page says what the API says."""

    target = SelectField(validate_choice=False)


class MappingForm(FlaskForm):
    """One row per column of the file, in the file's order, and the options."""

    columns = FieldList(FormField(ColumnForm))
    create_categories = BooleanField("Create missing categories")
    create_locations = BooleanField("Create missing locations (from their path)")

    @classmethod
    def for_import(cls, record) -> MappingForm:
        """The import's saved mapping and options, one row per column."""
        rows = [{"target": record.mapping.get(header) or ""} for header in record.columns]
        return cls(formdata=None, data={**record.options, "columns": rows})

    def fit(self, headers: list[str]) -> list[tuple]:
        """(row, header) for each of the file's columns; a row the post lacked is ignored."""
        while len(self.columns) < len(headers):
            self.columns.append_entry()
        while len(self.columns) > len(headers):
            self.columns.pop_entry()
        return list(zip(self.columns, headers, strict=True))

    def mapping(self, headers: list[str]) -> dict[str, str | None]:
        """{header: field or None}, for the import service."""
        return {header: row.target.data or None for row, header in self.fit(headers)}


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
