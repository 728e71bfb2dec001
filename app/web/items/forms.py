"""Forms of the item pages; the rules about stock live in app.services.stock."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.limits import (
    DESCRIPTION_LENGTH,
    ITEM_NAME_LENGTH,
    MAX_PRICE,
    MOVEMENT_NOTE_LENGTH,
    PRICE_MESSAGE,
    SKU_LENGTH,
    SKU_MESSAGE,
    SKU_PATTERN,
    UNIT_LENGTH,
)
from app.permissions import STAFF_EDITABLE_ITEM_FIELDS
from app.services.items import EDITABLE_FIELDS, REORDER_FIELDS, TRACKING_FIELDS
from app.web.forms import EmptyForm, LocationField, NumberField, amount_field, optional_int, quantity_field


class BasicItemForm(FlaskForm):
    """The fields staff may edit (the API's PATCH allows the same ones)."""

    description = TextAreaField("Description", validators=[Optional(), Length(max=DESCRIPTION_LENGTH)])
    location_id = LocationField("Home location", validators=[InputRequired("Choose a location.")])
    unit = StringField("Unit", default="pcs", validators=[DataRequired(), Length(max=UNIT_LENGTH)])
    low_stock_threshold = amount_field("Low-stock threshold", required="Enter a threshold.", default=0)
    version = HiddenField()

    FIELDS: tuple[str, ...] = tuple(sorted(STAFF_EDITABLE_ITEM_FIELDS))  # the service's rule, not a copy

    def set_choices(self, categories: dict[int, str]) -> None:
        """The choices a <select> lists (the home location is a bounded picker)."""

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
            Length(max=SKU_LENGTH),
            Regexp(SKU_PATTERN, message=SKU_MESSAGE),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=ITEM_NAME_LENGTH)])
    category_id = SelectField("Category", coerce=optional_int, validate_choice=True)
    price = NumberField(
        "Unit price",
        places=2,
        default=0,
        validators=[InputRequired("Enter a price."), NumberRange(0, MAX_PRICE, PRICE_MESSAGE)],
    )
    quantity = amount_field("Initial quantity", required=None, default=0)
    decimals = SelectField(
        "Decimal places",
        coerce=int,
        default=0,
        choices=[(0, "0 (counted in pieces)"), (1, "1"), (2, "2 (e.g. metres, litres)"), (3, "3 (e.g. kilograms)")],
    )

    # The service's list, not a copy; the reorder policy is edited in the item page's Buying panel.
    FIELDS = tuple(name for name in EDITABLE_FIELDS if name not in REORDER_FIELDS + TRACKING_FIELDS)

    def set_choices(self, categories: dict[int, str]) -> None:
        self.category_id.choices = [("", "— None —")] + [(i, n) for i, n in categories.items()]

    def values(self) -> dict:
        data = super().values()
        data["sku"], data["name"] = data["sku"].strip(), data["name"].strip()
        return data


class MoveForm(FlaskForm):
    """Restock or withdraw on the item page."""

    quantity = quantity_field()
    location_id = LocationField("Location")
    note = StringField("Note", validators=[Optional(), Length(max=MOVEMENT_NOTE_LENGTH)])


class TransferForm(FlaskForm):
    from_location_id = LocationField("From", validators=[InputRequired("Choose where the stock is.")])
    to_location_id = LocationField("To", validators=[InputRequired("Choose where the stock goes.")])
    quantity = quantity_field()
    note = StringField("Note", validators=[Optional(), Length(max=MOVEMENT_NOTE_LENGTH)])


class AdjustForm(FlaskForm):
    location_id = LocationField("Location", validators=[InputRequired("Choose the location counted.")])
    counted_quantity = amount_field("Counted quantity", required="Enter the counted quantity.")
    note = StringField(
        "Reason", validators=[DataRequired("Say why the count differs."), Length(max=MOVEMENT_NOTE_LENGTH)]
    )


class QuickMoveForm(FlaskForm):
    """The small restock/withdraw form on an inventory row (CSRF comes in the htmx header)."""

    class Meta:
        csrf = False

    quantity = quantity_field("Qty")
    op = SelectField(choices=[("restock", "Restock"), ("withdraw", "Withdraw")])
    # Sent by a list filtered on a location: the move acts there (else at the item's home).
    location_id = IntegerField("Location", validators=[Optional()])

    @property
    def typed(self) -> str:
        """The quantity as typed, to show again in a refused row."""
        return self.quantity.raw_data[0] if self.quantity.raw_data else ""


ConfirmForm = EmptyForm  # a confirmation step: just the CSRF token
