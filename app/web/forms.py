"""Form helpers shared by every page package: field builders over app.limits, coercion, button forms.

A page's form states its fields with these, so a page and the API (app/schemas) accept
the same input: the limits and patterns live once, in app/limits.py.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DecimalField, Field
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import html_params

from app.limits import MAX_DECIMALS, MAX_ID, MAX_QUANTITY, QUANTITY_MESSAGE, QUANTITY_OR_ZERO_MESSAGE
from app.services.quantities import DIGITS_MESSAGE, places


class NumberField(DecimalField):
    """A DecimalField that reads the digits 0-9 only: Decimal() would take "\u0663" for 3."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] and not valuelist[0].isascii():
            self.data = None
            raise ValueError(DIGITS_MESSAGE)
        super().process_formdata(valuelist)


def optional_int(value: object) -> int | None:
    """SelectField coercion: a chosen id, or None for the blank choice."""
    return int(value) if value not in (None, "", "None") else None


def amount_field(
    label: str, *, positive: bool = False, required: str | None = "Enter a quantity.", **kw
) -> NumberField:
    """A quantity typed on a page: read exactly (Decimal, never float), 0 (or above 0 when
    `positive`) to MAX_QUANTITY, at most MAX_DECIMALS places here; the item's own decimal
    places are checked by the services (app/services/quantities.py) and shown next to the field."""
    low = NumberRange(min=0, max=MAX_QUANTITY, message=QUANTITY_OR_ZERO_MESSAGE)
    if positive:
        low = NumberRange(min=Decimal("0.001"), max=MAX_QUANTITY, message=QUANTITY_MESSAGE)
    first = InputRequired(required) if required else Optional()
    return NumberField(label, places=None, validators=[first, low, _at_most_max_places], **kw)


def _at_most_max_places(form, field) -> None:
    if field.data is not None and places(field.data) > MAX_DECIMALS:
        raise ValidationError(f"Use at most {MAX_DECIMALS} decimal places.")


def quantity_field(label: str = "Quantity") -> NumberField:
    """A quantity to move or ask for: above 0, at most MAX_QUANTITY and MAX_DECIMALS places."""
    return amount_field(label, positive=True)


class EmptyForm(FlaskForm):
    """Only the CSRF token: remove, clear, confirm and similar buttons."""


def checked(form: FlaskForm) -> bool:
    """Validate a button's form; say so when it fails (an expired page's CSRF token, mostly)."""
    if form.validate():
        return True
    flash(" ".join(e for errors in form.errors.values() for e in errors) or "The form expired; try again.", "error")
    return False


def picker_markup(
    *, field_id: str, name: str, value: object, chosen: str, label: str, source: str, kind: str = "location", **attrs
) -> Markup:
    """The bounded picker's markup (app/static/js/picker.js): a combobox text box showing the chosen
    name, the chosen id in a hidden input under the field's name, and a listbox that the script
    fills with at most 50 choices fetched from `source` as the person types."""
    attrs.pop("data-searchable", None)
    attrs.pop("data_searchable", None)
    list_id = f"{field_id}-list"
    box = {
        "type": "text",
        "id": field_id,
        "role": "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": list_id,
        "autocomplete": "off",
        "autocapitalize": "off",
        "spellcheck": "false",
        **({"data-scan": kind} if kind in ("location", "item") else {}),
        "placeholder": f"Type or scan {'an' if kind[0] in 'aeiou' else 'a'} {kind}…"
        if kind in ("location", "item")
        else f"Type a {kind}'s name…",
        "value": chosen,
        **{k.replace("_", "-"): v for k, v in attrs.items()},
    }
    return Markup(
        f'<div class="picker" data-picker data-kind="{escape(kind)}" data-source="{escape(source)}">'
        f"<input {html_params(**box)}>"
        f'<input type="hidden" name="{escape(name)}" value="{escape("" if value is None else value)}">'
        f'<ul role="listbox" id="{escape(list_id)}" class="picker-list" hidden aria-label="{escape(label)}"></ul>'
        '<small class="picker-status" data-picker-status aria-live="polite"></small></div>'
    )


def location_picker(
    name: str, field_id: str, value: int | None, label: str, *, holding_stock: bool = True, **attrs
) -> Markup:
    """A location picker outside a WTForms form (a Jinja global: the cart's rows)."""
    from app.services.locations import paths_of

    return picker_markup(
        field_id=field_id,
        name=name,
        value=value,
        chosen=paths_of([value]).get(value, "") if value is not None else "",
        label=label,
        source=url_for("locations.options", stock=1 if holding_stock else None),
        **attrs,
    )


def supplier_picker(name: str, field_id: str, value: int | None, label: str, **attrs) -> Markup:
    """A supplier picker outside a WTForms form (a Jinja global: the orders list's filter)."""
    from app.services.choices import supplier_labels

    return picker_markup(
        field_id=field_id,
        name=name,
        value=value,
        chosen=supplier_labels([value]).get(value, "") if value is not None else "",
        label=label,
        source=url_for("purchasing.supplier_options"),
        kind="supplier",
        **attrs,
    )


class _PickerWidget:
    """An _IdPickerField drawn as the bounded picker."""

    def __call__(self, field: Field, **attrs: object) -> Markup:
        return picker_markup(
            field_id=field.id,
            name=field.name,
            value=field._value(),
            chosen=field.chosen_label(),
            label=field.label.text,
            source=field.source(),
            kind=field.kind,
            **attrs,
        )


class _IdPickerField(Field):
    """A row chosen with the bounded picker (never a <select> of the whole table): the form reads
    the chosen row's id from the picker's hidden input, and `refusal` (the server's check that the
    row exists and is live) puts its message next to this field."""

    widget = _PickerWidget()
    kind = "choice"

    def source(self) -> str:
        """The picker's choices endpoint (JSON, at most 50)."""
        raise NotImplementedError

    def labels(self, ids: list[int]) -> dict[int, str]:
        """id -> what the picker shows for these rows."""
        raise NotImplementedError

    def refusal(self, chosen_id: int) -> str | None:
        """Why the chosen id cannot be taken, or None (the default: the services check it)."""
        return None

    def chosen_label(self) -> str:
        return self.labels([self.data]).get(self.data, "") if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
            self.data = None
            raise ValueError(f"Choose {'an' if self.kind[0] in 'aeiou' else 'a'} {self.kind} from the list.")
        self.data = int(text)

    def pre_validate(self, form) -> None:
        if isinstance(self.data, int) and (message := self.refusal(self.data)):
            raise ValidationError(message)

    def process_data(self, value: object) -> None:
        self.data = value if isinstance(value, int) else None

    def _value(self) -> str:
        return str(self.data) if isinstance(self.data, int) else ""


class LocationField(_IdPickerField):
    """A location chosen with the bounded picker: the services check that it exists, is live, holds
    stock where it must, and put their refusal on this field (app/services/locations.py
    require_live_location)."""

    kind = "location"

    def __init__(self, label: str | None = None, validators=None, *, holding_stock: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.holding_stock = holding_stock
        self.within: int | None = None  # a page may narrow the choices to one location's subtree

    def source(self) -> str:
        return url_for("locations.options", stock=1 if self.holding_stock else None, within=self.within)

    def labels(self, ids: list[int]) -> dict[int, str]:
        from app.services.locations import paths_of

        return paths_of(ids)


class ItemField(_IdPickerField):
    """An active item chosen with the bounded picker (GET /items/options); a deleted or unknown
    one is refused next to the field."""

    kind = "item"

    def source(self) -> str:
        return url_for("items.options")

    def labels(self, ids: list[int]) -> dict[int, str]:
        from app.services.choices import item_labels

        return item_labels(ids)

    def refusal(self, chosen_id: int) -> str | None:
        from app.services.choices import live_item_id

        return None if live_item_id(chosen_id) else "That item is deleted or does not exist: choose another."


class SupplierField(_IdPickerField):
    """A supplier chosen with the bounded picker (GET /purchasing/suppliers/options); an unknown
    (deleted) one is refused next to the field."""

    kind = "supplier"

    def source(self) -> str:
        return url_for("purchasing.supplier_options")

    def labels(self, ids: list[int]) -> dict[int, str]:
        from app.services.choices import supplier_labels

        return supplier_labels(ids)

    def refusal(self, chosen_id: int) -> str | None:
        from app.services.choices import live_supplier_id

        return None if live_supplier_id(chosen_id) else "That supplier does not exist any more: choose another."
