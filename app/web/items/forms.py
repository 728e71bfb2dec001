"""Forms of the item pages; the rules about stock live in app.services.stock."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.permissions import STAFF_EDITABLE_ITEM_FIELDS
from app.services.quantities import MAX_DECIMALS, places

MAX_QUANTITY = 1_000_000_000
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"


def amount_field(label: str, *, positive: bool = False, required: str | None = "Enter a quantity.", **kw):
    """A quantity typed on a page: read exactly (Decimal, never float), at most 3 decimal places here;
    the item's own decimal places are checked by the services and shown next to the field."""
    low = NumberRange(min=0, max=MAX_QUANTITY, message="Must be 0 or more.")
    if positive:
        low = NumberRange(min=Decimal("0.001"), max=MAX_QUANTITY, message="Enter a quantity above 0.")
    first = InputRequired(required) if required else Optional()
    return DecimalField(label, places=None, validators=[first, low, _at_most_three_places], **kw)


def _at_most_three_places(form, field) -> None:
    if field.data is not None and places(field.data) > MAX_DECIMALS:
        raise ValidationError(f"Use at most {MAX_DECIMALS} decimal places.")


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _quantity(label: str = "Quantity") -> DecimalField:
    return amount_field(label, positive=True)


class BasicItemForm(FlaskForm):
    """The fields staff may edit (the API's PATCH allows the same ones)."""

    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    location_id = SelectField("Home location", coerce=optional_int, validators=[InputRequired("Choose a location.")])
    unit = StringField("Unit", default="pcs", validators=[DataRequired(), Length(max=32)])
    low_stock_threshold = amount_field("Low-stock threshold", required="Enter a threshold.", default=0)
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
    quantity = amount_field("Initial quantity", required=None, default=0)
    decimals = SelectField(
        "Decimal places",
        coerce=int,
        default=0,
        choices=[(0, "0 (counted in pieces)"), (1, "1"), (2, "2 (e.g. metres, litres)"), (3, "3 (e.g. kilograms)")],
    )

    FIELDS = (
        "sku",
        "name",
        "description",
        "category_id",
        "location_id",
        "unit",
        "price",
        "low_stock_threshold",
        "decimals",
    )

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
    counted_quantity = amount_field("Counted quantity", required="Enter the counted quantity.")
    note = StringField("Reason", validators=[DataRequired("Say why the count differs."), Length(max=1000)])


class QuickMoveForm(FlaskForm):
    """The small restock/withdraw form on an inventory row (CSRF comes in the htmx header)."""

    class Meta:
        csrf = False

    quantity = _quantity("Qty")
    op = SelectField(choices=[("restock", "Restock"), ("withdraw", "Withdraw")])


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token, for confirmation steps."""
