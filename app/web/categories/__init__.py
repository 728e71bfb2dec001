"""Categories: item counts; create, rename, delete (managers)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.permissions import Permission, require
from app.services import catalog
from app.web.categories.forms import CategoryForm
from app.web.common import attempt, int_arg, page_links
from app.web.forms import EmptyForm

bp = Blueprint("categories", __name__, url_prefix="/categories")
PER_PAGE = 50


def _index(form: CategoryForm, status: int = 200):
    page = catalog.page_categories(page=int_arg("page", 1, minimum=1), per_page=PER_PAGE)
    return (
        render_template(
            "categories/index.html",
            rows=page.items,
            page=page,
            links=page_links(page),
            form=form,
            delete_form=EmptyForm(),
        ),
        status,
    )


@bp.get("")
@require(Permission.CATALOG_READ)
def index():
    return _index(CategoryForm(formdata=None))


@bp.post("")
@require(Permission.CATALOG_WRITE)
def create_view():
    form = CategoryForm()
    if form.validate():
        created = attempt(lambda: catalog.create_category(form.values()), form)
        if created.ok:
            flash(f"Category {created.value.name!r} created.", "success")
            return redirect(url_for("categories.index"))
    return _index(form, 422)


@bp.route("/<int:obj_id>/edit", methods=["GET", "POST"])
@require(Permission.CATALOG_WRITE)
def edit(obj_id: int):
    category = catalog.get_category(obj_id)
    form = CategoryForm(obj=category) if request.method == "GET" else CategoryForm()
    if form.validate_on_submit() and attempt(lambda: catalog.update_category(obj_id, form.values()), form).ok:
        flash("Category saved.", "success")
        return redirect(url_for("categories.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("categories/edit.html", form=form, obj=category), status


@bp.post("/<int:obj_id>/delete")
@require(Permission.CATALOG_WRITE)
def delete_view(obj_id: int):
    category = catalog.get_category(obj_id)
    if attempt(lambda: catalog.delete_category(obj_id), message=lambda exc: f"Cannot delete: {exc.message}").ok:
        flash(f"Category {category.name!r} deleted.", "success")
    return redirect(url_for("categories.index"))
