"""Forms of the item pages; the rules about stock live in app.services.stock.

A tracked item's movement forms (issue 27) follow the plain ones: a lot-tracked item's restock asks
for the lot and its expiry, its withdrawal and transfer offer the item's lots with FEFO pre-selected
(leaving it on FEFO sends no lot); a serial item's forms take the serials, one per line or scan."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.limits import (
    DESCRIPTION_LENGTH,
    ITEM_NAME_LENGTH,
    LOT_CODE_LENGTH,
    MAX_PRICE,
    MOVEMENT_NOTE_LENGTH,
    PRICE_MESSAGE,
    SERIALS_TEXT_LENGTH,
    SKU_LENGTH,
    SKU_MESSAGE,
    SKU_PATTERN,
    UNIT_LENGTH,
)
from app.models import Tracking
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

FEFO = ""  # the lot choice that sends no lot: the service picks first-expiry-first-out
SERIALS_HINT = "One serial per line (scan them one after another)."


def _lot_code(label: str = "Lot", required: bool = True) -> StringField:
    validators = [InputRequired("Give the lot code.")] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=LOT_CODE_LENGTH)])


def _expiry() -> DateField:
    return DateField("Expires on", validators=[Optional()])


def _lot_choice() -> SelectField:
    return SelectField("Lot", default=FEFO, choices=[(FEFO, "FEFO")], validate_choice=True)


def _serials(label: str = "Serials") -> TextAreaField:
    return TextAreaField(label, validators=[InputRequired("Give the serials."), Length(max=SERIALS_TEXT_LENGTH)])


class LotRestockForm(MoveForm):
    lot = _lot_code()
    expires_on = _expiry()


class LotWithdrawForm(MoveForm):
    lot = _lot_choice()


class LotTransferForm(TransferForm):
    lot = _lot_choice()


class LotAdjustForm(AdjustForm):
    lot = _lot_code("Lot counted")
    expires_on = _expiry()


class SerialMoveForm(MoveForm):
    """Restock or withdraw of named units: their count is the quantity."""

    quantity = None  # type: ignore[assignment]  # the units' count
    serials = _serials()


class SerialTransferForm(TransferForm):
    quantity = None  # type: ignore[assignment]
    serials = _serials()


class SerialAdjustForm(AdjustForm):
    counted_quantity = None  # type: ignore[assignment]
    serials = TextAreaField("Serials found here", validators=[Optional(), Length(max=SERIALS_TEXT_LENGTH)])
    note = StringField(
        "Reason", validators=[InputRequired("Say why the count differs."), Length(max=MOVEMENT_NOTE_LENGTH)]
    )


def form_classes(tracking: str) -> dict[str, type] | None:
    """The four forms of an item tracked this way; None for an untracked item (the plain forms)."""
    if tracking == Tracking.LOT:
        return {
            "restock": LotRestockForm,
            "withdraw": LotWithdrawForm,
            "transfer": LotTransferForm,
            "adjust": LotAdjustForm,
        }
    if tracking == Tracking.SERIAL:
        return {
            "restock": SerialMoveForm,
            "withdraw": SerialMoveForm,
            "transfer": SerialTransferForm,
            "adjust": SerialAdjustForm,
        }
    return None


def lot_label(lot: dict[str, Any], today: date) -> str:
    """How a lot reads in the picker: code, expiry, where it is and how much, and its state."""
    expiry = f"expires {lot['expires_on'].isoformat()}" if lot["expires_on"] else "no expiry date"
    places = ", ".join(f"{level['quantity']:,} at {level['path']}" for level in lot["levels"][:3])
    flags = []
    if lot["status"] == "blocked":
        flags.append("blocked")
    if lot["expires_on"] and lot["expires_on"] < today:
        flags.append("expired")
    extra = f" ({', '.join(flags)})" if flags else ""
    return f"{lot['code']} · {expiry} · {places or 'none in stock'}{extra}"


def set_lot_choices(form, lots: list[dict[str, Any]], fefo_first: dict[str, Any] | None, today: date) -> None:
    """The lots in stock as choices after FEFO, which names the lot it would take first."""
    field = getattr(form, "lot", None)
    if not isinstance(field, SelectField):
        return
    first = f" — now {fefo_first['code']}" if fefo_first else ""
    field.choices = [(FEFO, f"FEFO: first to expire{first}")] + [
        (lot["code"], lot_label(lot, today)) for lot in lots if lot["levels"]
    ]


def serial_list(text: str | None) -> list[str]:
    """The serials typed or scanned: one per line (commas also separate), blanks dropped."""
    return [part.strip() for line in (text or "").splitlines() for part in line.split(",") if part.strip()]


def trace_of(form) -> dict[str, Any]:
    """What a posted tracked form says about lots or units, as the stock verbs take it."""
    trace: dict[str, Any] = {}
    if getattr(form, "lot", None) is not None and form.lot.data:
        trace["lot"] = form.lot.data.strip()
    if getattr(form, "expires_on", None) is not None and form.expires_on.data:
        trace["expires_on"] = form.expires_on.data
    if getattr(form, "serials", None) is not None:
        trace["serials"] = serial_list(form.serials.data)
    return trace


def quantity_of(form) -> Any:
    """The form's quantity, or None for a serial form (the service counts the units)."""
    return form.quantity.data if getattr(form, "quantity", None) is not None else None
