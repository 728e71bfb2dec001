"""An item's page: fields, stock per location, movement forms and history."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for

from app.auth import current_actor
from app.models import Tracking
from app.permissions import Permission, can, require
from app.services import choices, items, stock
from app.services.catalog import category_names
from app.services.locations import paths_of
from app.services.quantities import show
from app.web.common import attempt, int_arg, page_links
from app.web.items.blueprint import bp
from app.web.items.forms import AdjustForm, ConfirmForm, MoveForm, TransferForm, form_classes, quantity_of, trace_of
from app.web.items.tracking import tracked_panel

PLAIN_FORMS = {"restock": MoveForm, "withdraw": MoveForm, "transfer": TransferForm, "adjust": AdjustForm}

HISTORY_PER_PAGE = 15


def _forms(item, bound: str | None = None) -> dict:
    """The four movement forms; only `bound` reads the posted data. Each place starts at the
    item's home but a transfer's destination, which the person always chooses."""

    def make(cls, prefix):
        form = cls(prefix=prefix) if bound == prefix else cls(prefix=prefix, formdata=None)
        return form

    classes = form_classes(item.tracking) or PLAIN_FORMS
    forms = {name: make(cls, name) for name, cls in classes.items()}
    if bound in forms and item.tracking == Tracking.LOT and bound in ("withdraw", "transfer"):
        tracked_panel(item, forms)  # the lot choices, before the posted one is validated
    for name in ("restock", "withdraw", "adjust"):
        if bound != name:
            forms[name].location_id.data = item.location_id
    if bound != "transfer":
        forms["transfer"].from_location_id.data = item.location_id
    return forms


def with_offer_form(item_id: int, offer, status: int):
    """The item's page with its "Add a supplier offer" form as sent, its errors next to its fields."""
    return _render(item_id, status=status, offer=offer)


def _render(item_id: int, bound: str | None = None, status: int = 200, forms: dict | None = None, offer=None):
    item, stock_rows = stock.item_with_stock(item_id)
    forms = forms or _forms(item, bound)
    history = items.item_history(item_id, page=int_arg("page", 1, minimum=1), per_page=HISTORY_PER_PAGE)
    from app.services.logs import labels_for

    return (
        render_template(
            "items/detail.html",
            item=item,
            stock_rows=stock_rows,
            category=category_names().get(item.category_id),
            home=paths_of([item.location_id]).get(item.location_id),
            forms=forms,
            history=history,
            labels=labels_for(history.items),
            links=page_links(history),
            delete_form=ConfirmForm(),
            **tracked_panel(item, forms),
            **_purchasing(item, offer),
        ),
        status,
    )


def _purchasing(item, offer=None) -> dict:
    """The Buying panel: offers for anyone who may see them, forms for buyers."""
    from app.services.purchasing import suppliers
    from app.web.forms import EmptyForm
    from app.web.purchasing.forms import OfferForm, PolicyForm

    actor = current_actor()
    if not can(actor, Permission.PURCHASING_READ):
        return {"offers": None, "purchasing_forms": None}
    forms = None
    if can(actor, Permission.PURCHASING_MANAGE):
        offer = offer or OfferForm(formdata=None, prefix="offer")
        policy = PolicyForm(formdata=None, obj=item, prefix="policy")
        any_supplier = bool(choices.supplier_choices("", limit=1))  # the picker finds them; never all in the page
        forms = {"offer": offer, "policy": policy, "confirm": EmptyForm(), "any_supplier": any_supplier}
    return {"offers": suppliers.list_offers(item.id), "purchasing_forms": forms}


@bp.get("/<int:item_id>")
@require(Permission.ITEMS_READ)
def detail(item_id: int):
    return _render(item_id)


def _move(item_id: int, name: str, run: Callable, done: Callable) -> object:
    item = items.get_item(item_id)
    forms = _forms(item, bound=name)
    form = forms[name]
    if form.validate_on_submit():
        moved = attempt(lambda: run(form), form, fallback_field="quantity")
        if not moved.ok:
            return _render(item_id, name, moved.status, forms)
        flash(done(form, item) + _lots_taken(moved.value), "success")
        return redirect(url_for("items.detail", item_id=item_id))
    return _render(item_id, name, 422, forms)


def _lots_taken(moved) -> str:
    """A tracked movement's lots or units, after the quantity in its message."""
    if moved.lots:
        return " Lots: " + ", ".join(f"{lot['lot']} ({show(abs(lot['quantity']))})" for lot in moved.lots) + "."
    if moved.serials:
        return " Serials: " + ", ".join(moved.serials[:20]) + ("…" if len(moved.serials) > 20 else "") + "."
    return ""


def _said(form, item) -> str:
    """The quantity the message names: the form's, or for serials their count."""
    quantity = quantity_of(form)
    return f"{show(quantity if quantity is not None else len(trace_of(form).get('serials', [])))} {item.unit}"


@bp.post("/<int:item_id>/restock")
@require(Permission.STOCK_MOVE)
def restock(item_id: int):
    return _move(
        item_id,
        "restock",
        lambda f: stock.restock(
            item_id,
            quantity_of(f),
            actor=current_actor(),
            location_id=f.location_id.data,
            note=f.note.data or None,
            **trace_of(f),
        ),
        lambda f, item: f"Restocked {_said(f, item)}.",
    )


@bp.post("/<int:item_id>/withdraw")
@require(Permission.STOCK_MOVE)
def withdraw(item_id: int):
    return _move(
        item_id,
        "withdraw",
        lambda f: stock.withdraw(
            item_id,
            quantity_of(f),
            actor=current_actor(),
            location_id=f.location_id.data,
            note=f.note.data or None,
            **trace_of(f),
        ),
        lambda f, item: f"Withdrew {_said(f, item)}.",
    )


@bp.post("/<int:item_id>/transfer")
@require(Permission.STOCK_MOVE)
def transfer(item_id: int):
    return _move(
        item_id,
        "transfer",
        lambda f: stock.transfer(
            item_id,
            f.from_location_id.data,
            f.to_location_id.data,
            quantity_of(f),
            actor=current_actor(),
            note=f.note.data or None,
            **trace_of(f),
        ),
        lambda f, item: f"Transferred {_said(f, item)}.",
    )


@bp.post("/<int:item_id>/adjust")
@require(Permission.STOCK_ADJUST)
def adjust(item_id: int):
    return _move(
        item_id,
        "adjust",
        lambda f: stock.adjust(
            item_id, f.location_id.data, _counted(f), actor=current_actor(), note=f.note.data, **trace_of(f)
        ),
        lambda f, item: f"Count recorded: {show(_counted(f))} {item.unit}.",
    )


def _counted(form):
    """The counted quantity, or for a serial item the number of units found."""
    if getattr(form, "counted_quantity", None) is not None:
        return form.counted_quantity.data
    return len(trace_of(form).get("serials", []))
