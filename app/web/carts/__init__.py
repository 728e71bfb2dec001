"""The cart page: lines to ask for, flagged when short, and submitting them as a request."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from app.auth import current_actor
from app.permissions import Permission, require
from app.services.quantities import show
from app.services.requests import carts
from app.services.requests import workflow as requests
from app.web.carts.forms import AddToCartForm, CartAddForm, EmptyForm, LineForm, SubmitForm
from app.web.common import attempt, is_safe_next
from app.web.forms import checked

bp = Blueprint("carts", __name__, url_prefix="/cart")


def _render(submit_form: SubmitForm | None = None, status: int = 200, add_form: CartAddForm | None = None):
    submit_form = submit_form or SubmitForm()
    add_form = add_form or CartAddForm(formdata=None, prefix="add")
    cart = carts.get_cart(current_actor())
    page = render_template("carts/index.html", cart=cart, submit_form=submit_form, add_form=add_form, form=EmptyForm())
    return page, status


@bp.get("")
@require(Permission.CART_USE)
def index():
    return _render()


@bp.post("/add")
@require(Permission.CART_USE)
def add():
    form = CartAddForm(prefix="add")
    on_cart = bool(form.item_id.raw_data)  # the cart page's own "Add a line": errors next to its fields
    if not on_cart:
        form = AddToCartForm()
    target = url_for("carts.index") if on_cart or not is_safe_next(form.next.data) else form.next.data
    if not form.validate():
        if on_cart:
            return _render(add_form=form, status=422)
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Could not add that line.", "error")
        return redirect(target)
    added = attempt(
        lambda: carts.add_line(current_actor(), form.item_id.data, form.quantity.data, form.location_id.data),
        form if on_cart else None,
    )
    if not added.ok:
        return _render(add_form=form, status=added.status) if on_cart else redirect(target)
    line = added.value
    # What this add put in, not the line's new total (a second add of 10.5 m says 10.5 m).
    said = f"Added to your cart: {show(form.quantity.data, line.unit)} of {line.name} from {line.location_name}."
    if line.quantity != form.quantity.data:
        said += f" The line now holds {show(line.quantity, line.unit)}."
    if line.short:
        said += f" Only {show(line.available, line.unit)} available at {line.location_name}: the line is flagged."
    flash(said, "success")
    return redirect(target)


@bp.post("/lines/<int:line_id>")
@require(Permission.CART_USE)
def update_line(line_id: int):
    form = LineForm()
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("carts.index"))
    if attempt(
        lambda: carts.update_line(
            current_actor(), line_id, quantity=form.quantity.data, location_id=form.location_id.data
        )
    ).ok:
        flash("Line updated.", "success")
    return redirect(url_for("carts.index"))


@bp.post("/lines/<int:line_id>/remove")
@require(Permission.CART_USE)
def remove_line(line_id: int):
    if checked(EmptyForm()) and attempt(lambda: carts.remove_line(current_actor(), line_id)).ok:
        flash("Line removed.", "success")
    return redirect(url_for("carts.index"))


@bp.post("/clear")
@require(Permission.CART_USE)
def clear():
    if checked(EmptyForm()):
        carts.clear(current_actor())
        flash("Your cart is empty.", "success")
    return redirect(url_for("carts.index"))


@bp.post("/submit")
@require(Permission.REQUESTS_SUBMIT)
def submit():
    form = SubmitForm()
    if not form.validate():
        return _render(form, 422)
    submitted = attempt(
        lambda: requests.submit(
            current_actor(),
            kind=form.kind.data,
            destination_location_id=form.destination_location_id.data if form.kind.data == "transfer" else None,
            note=form.note.data,
            needed_by=form.needed_by.data,
        ),
        form,
    )
    if not submitted.ok:
        return _render(form, submitted.status)
    req = submitted.value
    flash(f"Request #{req.id} submitted: a manager will approve it.", "success")
    return redirect(url_for("requests.detail", request_id=req.id))
