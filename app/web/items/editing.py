"""Create, edit and delete items (managers); staff edit the few fields they may change."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.permissions import Permission, can, require
from app.services import items
from app.services.catalog import category_names
from app.web.common import attempt
from app.web.items.blueprint import bp
from app.web.items.forms import BasicItemForm, ConfirmForm, ItemForm


def _form(form_class: type[BasicItemForm] = ItemForm, **kwargs) -> BasicItemForm:
    form = form_class(**kwargs)
    form.set_choices(category_names())
    return form


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.ITEMS_CREATE)
def new():
    form = _form()
    if request.method == "GET" and request.args.get("location"):
        form.location_id.data = request.args.get("location", type=int)
    if form.validate_on_submit():
        created = attempt(
            lambda: items.create_item({**form.values(), "quantity": form.quantity.data or 0}, actor=current_actor()),
            form,
        )
        if created.ok:
            item = created.value
            flash(f"Created {item.name} ({item.sku}).", "success")
            return redirect(url_for("items.detail", item_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("items/form.html", form=form, item=None), status


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@require(Permission.ITEMS_EDIT_BASIC)
def edit(item_id: int):
    """Managers edit every field; staff get a form with only description, home location,
    unit and threshold (the service refuses anything else from them)."""
    item = items.get_item(item_id)
    every_field = can(current_actor(), Permission.ITEMS_EDIT)
    form_class = ItemForm if every_field else BasicItemForm
    form = _form(form_class, obj=item) if request.method == "GET" else _form(form_class)
    if request.method == "GET":
        form.version.data = item.version
    if form.validate_on_submit():
        version = int(form.version.data or 0) or None
        saved = attempt(
            lambda: items.update_item(
                item_id, form.values(), actor=current_actor(), expected_version=version, partial=not every_field
            ),
            form,
        )
        if saved.ok:
            flash("Changes saved.", "success")
            return redirect(url_for("items.detail", item_id=item_id))
    status = 422 if request.method == "POST" else 200
    return render_template("items/form.html", form=form, item=item), status


@bp.route("/<int:item_id>/delete", methods=["GET", "POST"])
@require(Permission.ITEMS_DELETE)
def delete(item_id: int):
    """GET asks for confirmation; POST deletes (the history stays readable)."""
    item = items.get_item(item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        items.delete_item(item_id, actor=current_actor())
        flash(f"Deleted {item.name} ({item.sku}).", "success")
        return redirect(url_for("items.index"))
    return render_template("items/delete.html", item=item, form=form)
