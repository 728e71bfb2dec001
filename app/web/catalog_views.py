"""Shared shape of the Categories and Locations pages: list with counts, create, rename, delete."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.limits import ADDRESS_LENGTH, CATALOG_NAME_LENGTH, DESCRIPTION_LENGTH
from app.permissions import Permission, require
from app.web.common import attempt
from app.web.forms import EmptyForm


class CatalogForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=CATALOG_NAME_LENGTH)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=DESCRIPTION_LENGTH)])
    address = StringField("Address", validators=[Optional(), Length(max=ADDRESS_LENGTH)])


def attach(
    bp: Blueprint,
    *,
    noun: str,
    list_all: Callable,
    get_one: Callable,
    create: Callable,
    update: Callable,
    delete: Callable,
    with_address: bool,
) -> None:
    """Add index/create/edit/delete routes for one catalogue kind to `bp`."""
    name = bp.name

    def values(form: CatalogForm) -> dict:
        data = {"name": form.name.data.strip(), "description": (form.description.data or "").strip() or None}
        if with_address:
            data["address"] = (form.address.data or "").strip() or None
        return data

    def render(form: CatalogForm, status: int = 200):
        return (
            render_template(
                "catalog/index.html",
                rows=list_all(),
                form=form,
                noun=noun,
                bp=name,
                with_address=with_address,
                delete_form=EmptyForm(),
            ),
            status,
        )

    @bp.get("")
    @require(Permission.CATALOG_READ)
    def index():
        return render(CatalogForm(formdata=None))

    @bp.post("")
    @require(Permission.CATALOG_WRITE)
    def create_view():
        form = CatalogForm()
        if form.validate():
            created = attempt(lambda: create(values(form)), form)
            if created.ok:
                flash(f"{noun.title()} {created.value.name!r} created.", "success")
                return redirect(url_for(f"{name}.index"))
        return render(form, 422)

    @bp.route("/<int:obj_id>/edit", methods=["GET", "POST"])
    @require(Permission.CATALOG_WRITE)
    def edit(obj_id: int):
        obj = get_one(obj_id)
        form = CatalogForm(obj=obj) if request.method == "GET" else CatalogForm()
        if form.validate_on_submit() and attempt(lambda: update(obj_id, values(form)), form).ok:
            flash(f"{noun.title()} saved.", "success")
            return redirect(url_for(f"{name}.index"))
        status = 422 if request.method == "POST" else 200
        return render_template(
            "catalog/edit.html", form=form, obj=obj, noun=noun, bp=name, with_address=with_address
        ), status

    @bp.post("/<int:obj_id>/delete")
    @require(Permission.CATALOG_WRITE)
    def delete_view(obj_id: int):
        obj = get_one(obj_id)
        if attempt(lambda: delete(obj_id), message=lambda exc: f"Cannot delete: {exc.message}").ok:
            flash(f"{noun.title()} {obj.name!r} deleted.", "success")
        return redirect(url_for(f"{name}.index"))
