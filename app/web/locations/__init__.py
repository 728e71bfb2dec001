"""Locations: the tree with subtree counts, a location's page (breadcrumbs, children,
stock rolled up), create, edit or move, archive (managers)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from app.limits import SEARCH_LENGTH
from app.permissions import Permission, require
from app.services import item_list, location_tree
from app.services import locations as service
from app.web.common import attempt, int_arg, page_links
from app.web.forms import EmptyForm
from app.web.locations.forms import LocationForm

bp = Blueprint("locations", __name__, url_prefix="/locations")
CHILDREN_PER_PAGE = location_tree.LEVEL_PAGE  # a location's page and the tree's "Show more" page alike


def _index(form: LocationForm, status: int = 200):
    """The whole tree while it is small; else the sites (100 at a time), their children loaded as
    they are opened (children_view); or what a search found (the pickers' path search)."""
    searched = (request.args.get("q") or "").strip()[:SEARCH_LENGTH]
    small = not searched and location_tree.is_small()
    sites = None
    if searched:
        nodes = location_tree.search(searched)
    elif small:
        nodes = location_tree.tree()
    else:
        sites = location_tree.level_page(None, page=int_arg("page", 1, minimum=1))
        nodes = sites.items
    page = render_template(
        "locations/index.html",
        tree=nodes,
        sites=sites,
        links=page_links(sites) if sites else [],
        searched=searched,
        small=small,
        form=form,
        delete_form=EmptyForm(),
    )
    return page, status


@bp.get("")
@require(Permission.CATALOG_READ)
def index():
    form = LocationForm(formdata=None)
    form.parent_id.data = request.args.get("parent", type=int)
    return _index(form)


@bp.post("")
@require(Permission.CATALOG_WRITE)
def create_view():
    form = LocationForm()
    if form.validate():
        created = attempt(lambda: service.create_location(form.values()), form)
        if created.ok:
            flash(f"Location {created.value.path!r} created.", "success")
            return redirect(url_for("locations.index"))
    return _index(form, 422)


@bp.get("/options")
@require(Permission.CATALOG_READ)
def options():
    """The bounded picker's choices (JSON, at most 50): live locations whose path holds every word
    of `q`; with `code`, the one location a scanned code names; `stock=1` leaves out structural ones."""
    holding_stock = request.args.get("stock") == "1"
    within = service.get_location(request.args.get("within", type=int)) if request.args.get("within") else None
    code = (request.args.get("code") or "")[:SEARCH_LENGTH].strip()
    if code:
        return jsonify(_scanned(code, holding_stock, within))
    query = (request.args.get("q") or "")[:SEARCH_LENGTH]
    found = service.matching_paths(query, holding_stock=holding_stock, within=within)
    return jsonify([{"id": loc_id, "path": path, "label": path} for loc_id, path in found])


def _scanned(code: str, holding_stock: bool, within=None) -> list[dict]:
    """[the location a scanned or typed code names] (our link or short code, or an exact path), or []."""
    from app.errors import DomainError
    from app.services.scanning import codes

    try:
        found = codes.resolve(code)
    except DomainError:
        exact = [
            (i, p) for i, p in service.matching_paths(code, holding_stock=holding_stock) if p.lower() == code.lower()
        ]
        return [{"id": i, "path": p, "label": p} for i, p in exact]
    location = service.live_location(found.id) if found.type == "location" else None
    if location is None or (holding_stock and location.is_structural):
        return []
    return [{"id": location.id, "path": location.path, "label": location.path}]


@bp.get("/<int:obj_id>/children")
@require(Permission.CATALOG_READ)
def children_view(obj_id: int):
    """One page (100) of one level of a big tree, as list items (the tree's node opens and asks
    for it), ending in a "Show more" item that fetches the next page in its place."""
    inside = location_tree.level_page(obj_id, page=int_arg("page", 1, minimum=1))
    return render_template("locations/_level.html", nodes=inside.items, inside=inside, parent_id=obj_id)


@bp.get("/<int:obj_id>")
@require(Permission.CATALOG_READ)
def detail(obj_id: int):
    location = service.get_location(obj_id)
    inside = location_tree.level_page(obj_id, page=int_arg("page", 1, minimum=1), per_page=CHILDREN_PER_PAGE)
    children = [(node.location, node.totals) for node in inside.items]
    page = item_list.list_items(location_id=obj_id, per_page=50, sort_by="name")
    return render_template(
        "locations/detail.html",
        location=location,
        ancestors=service.ancestors(location),
        totals=service.subtree_totals(location),
        children=children,
        inside=inside,
        links=page_links(inside),
        page=page,
        delete_form=EmptyForm(),
    )


@bp.route("/<int:obj_id>/edit", methods=["GET", "POST"])
@require(Permission.CATALOG_WRITE)
def edit(obj_id: int):
    location = service.get_location(obj_id)
    form = LocationForm(obj=location) if request.method == "GET" else LocationForm()
    if request.method == "GET":
        form.parent_id.data = location.parent_id
    if form.validate_on_submit() and attempt(lambda: service.update_location(obj_id, form.values()), form).ok:
        flash("Location saved.", "success")
        return redirect(url_for("locations.detail", obj_id=obj_id))
    status = 422 if request.method == "POST" else 200
    return render_template("locations/edit.html", form=form, location=location), status


@bp.post("/<int:obj_id>/delete")
@require(Permission.CATALOG_WRITE)
def delete_view(obj_id: int):
    location = service.get_location(obj_id)
    if not attempt(lambda: service.delete_location(obj_id), message=lambda exc: f"Cannot archive: {exc.message}").ok:
        return redirect(url_for("locations.detail", obj_id=obj_id))
    flash(f"Location {location.path!r} archived.", "success")
    return redirect(url_for("locations.index"))
