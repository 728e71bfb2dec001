"""Purchasing page forms: limits from app/limits.py, the same as the API's schemas."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.limits import (
    CONTACT_LENGTH,
    EMAIL_LENGTH,
    LEAD_TIME_MESSAGE,
    LOCATION_PATH_LENGTH,
    LOOKUP_LENGTH,
    MAX_LEAD_TIME_DAYS,
    MAX_PRICE,
    NOTES_LENGTH,
    PHONE_LENGTH,
    PRICE_MESSAGE,
    SUPPLIER_NAME_LENGTH,
    SUPPLIER_SKU_LENGTH,
)
from app.web.forms import amount_field, optional_int, quantity_field


def price_field(label: str = "Unit price", required: bool = False) -> DecimalField:
    first = DataRequired("Enter a price.") if required else Optional()
    return DecimalField(
        label, places=None, validators=[first, NumberRange(min=0, max=MAX_PRICE, message=PRICE_MESSAGE)]
    )


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
    supplier_id = SelectField("Supplier", coerce=optional_int, validators=[DataRequired("Choose a supplier.")])
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
    supplier_id = SelectField("Supplier", coerce=optional_int, validators=[DataRequired("Choose a supplier.")])


class OrderHeaderForm(FlaskForm):
    expected_date = DateField("Expected delivery", validators=[Optional()])
    note = TextAreaField("Note to the supplier", validators=[Optional(), Length(max=NOTES_LENGTH)])


class AddLineForm(FlaskForm):
    item = StringField(
        "Item (SKU, barcode or scan)", validators=[DataRequired("Scan or type the item."), Length(max=LOOKUP_LENGTH)]
    )
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
    quantity = quantity_field()
