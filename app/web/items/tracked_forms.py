"""The movement forms of a tracked item's page (issue 27): a lot-tracked item's restock asks for
the lot and its expiry, its withdrawal and transfer offer the item's lots with FEFO pre-selected
(leaving it on FEFO sends no lot); a serial item's forms take the serials, one per line or scan.
Untracked items keep the forms of app/web/items/forms.py. The rules live in app.services.stock."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.limits import MOVEMENT_NOTE_LENGTH
from app.models import Tracking
from app.web.items.forms import AdjustForm, MoveForm, TransferForm

LOT_CODE_LENGTH = 64
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
    return TextAreaField(label, validators=[InputRequired("Give the serials."), Length(max=20_000)])


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
    serials = TextAreaField("Serials found here", validators=[Optional(), Length(max=20_000)])
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
