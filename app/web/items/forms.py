"""Forms of the item pages; the rules about stock live in app.services.stock."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.permissions import STAFF_EDITABLE_ITEM_FIELDS

MAX_QUANTITY = 1_000_000_000
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _quantity(label: str = "Quantity") -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(1, MAX_QUANTITY, "Enter a whole number of at least 1."),
        ],
    )


class BasicItemForm(FlaskForm):
    """The fields staff may edit (the API's PATCH allows the same ones)."""

    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    location_id = SelectField("Home location", coerce=optional_int, validators=[InputRequired("Choose a location.")])
    unit = StringField("Unit", default="pcs", validators=[DataRequired(), Length(max=32)])
    low_stock_threshold = IntegerField(
        "Low-stock threshold",
        default=0,
        validators=[InputRequired("Enter a threshold."), NumberRange(0, MAX_QUANTITY, "Must be 0 or more.")],
    )
    version = HiddenField()

    FIELDS: tuple[str, ...] = tuple(sorted(STAFF_EDITABLE_ITEM_FIELDS))  # the service's rule, not a copy

    def set_choices(self, categories: dict[int, str], locations: dict[int, str]) -> None:
        self.location_id.choices = [("", "— Choose —")] + [(i, n) for i, n in locations.items()]

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in self.FIELDS}
        data["unit"] = data["unit"].strip()
        data["description"] = (data["description"] or "").strip() or None
        return data


class ItemForm(BasicItemForm):
    """Every field of an item (managers), plus the initial quantity when creating one."""

    sku = StringField(
        "SKU",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(SKU_PATTERN, message="Use letters, digits, '.', '_', '-' or '/'."),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    category_id = SelectField("Category", coerce=optional_int, validate_choice=True)
    price = DecimalField(
        "Unit price",
        places=2,
        default=0,
        validators=[InputRequired("Enter a price."), NumberRange(0, MAX_QUANTITY, "Must be 0 or more.")],
    )
    quantity = IntegerField(
        "Initial quantity", default=0, validators=[Optional(), NumberRange(0, MAX_QUANTITY, "Must be 0 or more.")]
    )

    FIELDS = ("sku", "name", "description", "category_id", "location_id", "unit", "price", "low_stock_threshold")

    def set_choices(self, categories: dict[int, str], locations: dict[int, str]) -> None:
        super().set_choices(categories, locations)
        self.category_id.choices = [("", "— None —")] + [(i, n) for i, n in categories.items()]

    def values(self) -> dict:
        data = super().values()
        data["sku"], data["name"] = data["sku"].strip(), data["name"].strip()
        return data


class MoveForm(FlaskForm):
    """Restock or withdraw on the item page."""

    quantity = _quantity()
    location_id = SelectField("Location", coerce=optional_int)
    note = StringField("Note", validators=[Optional(), Length(max=1000)])


class TransferForm(FlaskForm):
    from_location_id = SelectField("From", coerce=optional_int, validators=[InputRequired()])
    to_location_id = SelectField("To", coerce=optional_int, validators=[InputRequired()])
    quantity = _quantity()
    note = StringField("Note", validators=[Optional(), Length(max=1000)])


class AdjustForm(FlaskForm):
    location_id = SelectField("Location", coerce=optional_int, validators=[InputRequired()])
    counted_quantity = IntegerField(
        "Counted quantity",
        validators=[InputRequired("Enter the counted quantity."), NumberRange(0, MAX_QUANTITY, "Must be 0 or more.")],
    )
    note = StringField("Reason", validators=[DataRequired("Say why the count differs."), Length(max=1000)])


class QuickMoveForm(FlaskForm):
    """The small restock/withdraw form on an inventory row (CSRF comes in the htmx header)."""

    class Meta:
        csrf = False

    quantity = _quantity("Qty")
    op = SelectField(choices=[("restock", "Restock"), ("withdraw", "Withdraw")])


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token, for confirmation steps."""
