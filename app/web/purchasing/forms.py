"""Purchasing page forms: limits from app/limits.py, the same as the API's schemas."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.limits import (
    CONTACT_LENGTH,
    EMAIL_LENGTH,
    LEAD_TIME_MESSAGE,
    LOCATION_PATH_LENGTH,
    LOOKUP_LENGTH,
    LOT_CODE_LENGTH,
    MAX_LEAD_TIME_DAYS,
    MAX_PRICE,
    NOTES_LENGTH,
    PHONE_LENGTH,
    PRICE_MESSAGE,
    SUPPLIER_NAME_LENGTH,
    SUPPLIER_SKU_LENGTH,
)
from app.services.purchasing.receiving import split_serials
from app.services.quantities import read_decimal
from app.web.forms import ItemField, LocationField, NumberField, SupplierField, amount_field, quantity_field


def price_field(label: str = "Unit price", required: bool = False) -> NumberField:
    first = DataRequired("Enter a price.") if required else Optional()
    return NumberField(label, places=None, validators=[first, NumberRange(min=0, max=MAX_PRICE, message=PRICE_MESSAGE)])


class SupplierForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=SUPPLIER_NAME_LENGTH)])
    contact = StringField("Contact person", validators=[Optional(), Length(max=CONTACT_LENGTH)])
    email = EmailField(
        "Email (orders are sent here)",
        validators=[Optional(), Length(max=EMAIL_LENGTH)],
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=PHONE_LENGTH)])
    lead_time_days = IntegerField(
        "Lead time (days)",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_LEAD_TIME_DAYS, message=LEAD_TIME_MESSAGE)],
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=NOTES_LENGTH)])

    def values(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "contact": (self.contact.data or "").strip() or None,
            "email": (self.email.data or "").strip() or None,
            "phone": (self.phone.data or "").strip() or None,
            "lead_time_days": self.lead_time_days.data or 0,
            "notes": self.notes.data or None,
        }


class PolicyForm(FlaskForm):
    reorder_point = amount_field("Reorder point", required=None, description="Empty: the low-stock threshold.")
    reorder_quantity = amount_field("Reorder quantity", required=None)
    max_stock = amount_field("Maximum stock", required=None, description="Set it to order up to this level instead.")


class OfferForm(FlaskForm):
    supplier_id = SupplierField("Supplier", validators=[InputRequired("Choose a supplier.")])
    supplier_sku = StringField("Supplier's SKU", validators=[Optional(), Length(max=SUPPLIER_SKU_LENGTH)])
    pack_size = amount_field("Pack size", positive=True, required=None)
    unit_price = price_field()
    min_order_quantity = amount_field("Minimum order", required=None)
    preferred = BooleanField("Preferred supplier")

    def values(self) -> dict:
        data = {"supplier_id": self.supplier_id.data, "supplier_sku": (self.supplier_sku.data or "").strip() or None}
        for name in ("pack_size", "unit_price", "min_order_quantity"):
            if getattr(self, name).data is not None:
                data[name] = Decimal(getattr(self, name).data)
        if self.preferred.data:
            data["preferred"] = True
        return data


class NewOrderForm(FlaskForm):
    supplier_id = SupplierField("Supplier", validators=[InputRequired("Choose a supplier.")])


class SuggestionsForm(FlaskForm):
    """The suggestions ticked for ordering (one checkbox per item)."""

    item_ids = SelectMultipleField(coerce=int, validate_choice=False)


class OrderHeaderForm(FlaskForm):
    expected_date = DateField("Expected delivery", validators=[Optional()])
    note = TextAreaField("Note to the supplier", validators=[Optional(), Length(max=NOTES_LENGTH)])


class AddLineForm(FlaskForm):
    item = ItemField("Item (type its name or SKU, or scan it)", validators=[InputRequired("Choose the item.")])
    quantity = quantity_field()
    unit_price = price_field("Unit price (empty: the supplier's)")


class OverReceiptForm(FlaskForm):
    allow_over_receipt = BooleanField("Allow receiving more than ordered")


class ScanReceiptForm(FlaskForm):
    code = StringField(
        "Item or line (scan or type)", validators=[DataRequired("Scan or type the item."), Length(max=LOOKUP_LENGTH)]
    )
    bin = StringField(
        "Bin (scan or type its code or path)",
        validators=[DataRequired("Scan or type the bin."), Length(max=LOCATION_PATH_LENGTH)],
    )
    quantity = amount_field("Quantity", positive=True, required=None)  # a serial item's: how many serials
    lot = StringField("Lot", validators=[Optional(), Length(max=LOT_CODE_LENGTH)])
    expires_on = DateField("Expires on", validators=[Optional()])
    serials = TextAreaField("Serials (scan one after another)", validators=[Optional()])


class ReceivedQuantityField(NumberField):
    """What arrived on one line, as typed; empty is None (the line is skipped) and text that is
    no number is named in the error, as the table's one message lists every line's problem."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            try:
                self.data = read_decimal(raw)
            except ArithmeticError:
                raise ValueError(f"{raw!r} is not a quantity.") from None


def _above_zero(form, field) -> None:
    if field.data is not None and (not field.data.is_finite() or field.data <= 0):
        raise ValidationError("enter a quantity above 0.")


class ReceiptLineForm(Form):
    """One row of the receiving table: the order line, what arrived and the bin it goes into."""

    line_id = IntegerField(widget=HiddenInput())
    quantity = ReceivedQuantityField(validators=[_above_zero])
    location_id = LocationField("Into bin")  # empty: the item's home
    lot = StringField("Lot", validators=[Optional(), Length(max=LOT_CODE_LENGTH)])
    expires_on = DateField("Expires on", validators=[Optional()])
    serials = TextAreaField("Serials", validators=[Optional()])

    @property
    def typed(self) -> bool:
        typed = self.quantity.raw_data and self.quantity.raw_data[0].strip()
        return bool(typed or split_serials(self.serials.data))  # a serial line's quantity is its count

    def validate(self, extra_validators=None) -> bool:
        return not self.typed or super().validate(extra_validators)  # a row left empty is skipped


def _entry(row: ReceiptLineForm) -> dict:
    entry = {"line_id": row.line_id.data, "quantity": row.quantity.data, "location_id": row.location_id.data}
    if (row.lot.data or "").strip():
        entry["lot"] = row.lot.data.strip()
    if row.expires_on.data is not None:
        entry["expires_on"] = row.expires_on.data
    if serials := split_serials(row.serials.data):
        entry["serials"] = serials
        entry["quantity"] = entry["quantity"] if entry["quantity"] is not None else Decimal(len(serials))
    return entry


class ReceiveForm(FlaskForm):
    """The receiving table: one row per line still to receive."""

    receipts = FieldList(FormField(ReceiptLineForm))

    @classmethod
    def for_lines(cls, lines: list) -> ReceiveForm:
        """The empty table for these order lines, each row's bin the item's home."""
        rows = [{"line_id": line.id, "location_id": line.item.location_id} for line in lines]
        return cls(formdata=None, data={"receipts": rows})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.entries():
            self.form_errors.append("Enter what arrived on at least one line.")
            return False
        return True

    def entries(self) -> list[dict]:
        """The service's receipt entries: the rows where a quantity was typed."""
        return [_entry(row) for row in self.receipts if row.typed]

    def problems(self, skus: dict[int, str]) -> str:
        """One message for the page: each bad row's first problem after its item's SKU."""
        messages = [*self.csrf_token.errors] if hasattr(self, "csrf_token") else []
        for row in self.receipts:
            errors = [e for field in row.form for e in field.errors]
            if errors:
                messages.append(f"{skus.get(row.line_id.data, f'Line {row.line_id.data}')}: {errors[0]}")
        return " ".join(messages + list(self.form_errors))
