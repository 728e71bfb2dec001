"""The inventory list: filters, sort and page in the URL; quick restock/withdraw per row."""

from __future__ import annotations

from flask import render_template, request

from app.auth import current_actor
from app.permissions import Permission, require
from app.services import item_list, items, locations, stock
from app.services.catalog import category_names
from app.services.quantities import show
from app.web.common import PER_PAGE_CHOICES, attempt, int_arg, page_links
from app.web.items.blueprint import bp
from app.web.items.forms import QuickMoveForm

SORTABLE = {
    "name": "Name",
    "sku": "SKU",
    "category": "Category",
    "location": "Location",
    "quantity": "Qty",
    "unit": "Unit",
    "price": "Price",
    "low_stock_threshold": "Threshold",
}


def list_state() -> dict:
    """The list's state, read from the URL (bad values fall back to defaults)."""
    sort = request.args.get("sort", "name")
    per_page = int_arg("per_page", 20)
    return {
        "q": request.args.get("q", "").strip()[:200],
        "category": int_arg("category", minimum=1),
        "location": int_arg("location", minimum=1),
        "min_qty": int_arg("min_qty"),
        "max_qty": int_arg("max_qty"),
        "low_stock": request.args.get("low_stock") in ("1", "on", "true"),
        "sort": sort if sort in SORTABLE else "name",
        "order": "desc" if request.args.get("order") == "desc" else "asc",
        "page": int_arg("page", 1, minimum=1),
        "per_page": per_page if per_page in PER_PAGE_CHOICES else 20,
    }


def url_args(state: dict, **changes) -> dict:
    """Only the non-default parts of the state, so shared URLs stay short."""
    merged = {**state, **changes}
    defaults = {"q": "", "sort": "name", "order": "asc", "page": 1, "per_page": 20, "low_stock": False}
    return {k: (1 if v is True else v) for k, v in merged.items() if v is not None and v != defaults.get(k)}


EXPORT_ARGS = {
    "q": "search",
    "category": "category_id",
    "location": "location_id",
    "min_qty": "min_quantity",
    "max_qty": "max_quantity",
    "low_stock": "below_threshold",
    "sort": "sort_by",
    "order": "order",
}


def export_args(state: dict, fmt: str) -> dict:
    """The list's URL state as the export API's query: the file holds exactly what the list shows."""
    args = {api: state[name] for name, api in EXPORT_ARGS.items() if state[name] not in (None, "", False)}
    return {**{k: ("true" if v is True else v) for k, v in args.items()}, "format": fmt}


@bp.get("")
@require(Permission.ITEMS_READ)
def index():
    state = list_state()
    page = item_list.list_items(
        page=state["page"],
        per_page=state["per_page"],
        sort_by=state["sort"],
        order=state["order"],
        search=state["q"] or None,
        category_id=state["category"],
        location_id=state["location"],
        min_quantity=state["min_qty"],
        max_quantity=state["max_qty"],
        below_threshold=state["low_stock"] or None,
    )
    choices, complete = locations.filter_choices(state["location"])
    context = {
        **_at_location(state["location"], page.items),
        "locations": choices,
        "locations_complete": complete,
        "paths": locations.paths_of([item.location_id for item in page.items]),
        "page": page,
        "state": state,
        "url_args": url_args,
        "export_args": export_args,
        "links": page_links(page),
        "sortable": SORTABLE,
        "categories": category_names(),
        "per_page_choices": PER_PAGE_CHOICES,
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    if partial and request.headers.get("HX-Target") == "inventory-results":
        return render_template("items/_results.html", oob=True, **context)
    return render_template("items/index.html", **context)


def _at_location(location_id: int | None, listed: list) -> dict:
    """With a location filter: the location, and each listed item's quantity there and in the
    locations inside it (the filter's own rule), shown next to the total. Quick moves act there
    unless it is structural (it holds no stock itself): then at each item's home, and the page says so."""
    location = locations.live_location(location_id)
    if location is None:
        return {"at_location": None, "here": {}}
    return {
        "at_location": {
            "id": location.id,
            "name": location.path,
            "inside": bool(locations.children(location.id)),
            "moves_here": not location.is_structural,
        },
        "here": item_list.quantities_at([item.id for item in listed], location.id),
    }


@bp.post("/<int:item_id>/quick")
@require(Permission.STOCK_MOVE)
def quick_move(item_id: int):
    """Restock or withdraw from a list row; answers the re-rendered row (errors shown in it).

    A list filtered on a location sends it: the move acts there, not at the item's home.
    """
    form = QuickMoveForm()
    status, error, done = 200, None, None
    item = items.get_item(item_id)  # a missing item is a 404, not a row
    place = locations.live_location(form.location_id.data) if form.location_id.data is not None else None
    location_id = place.id if place is not None else None
    if form.location_id.data is not None and place is None:
        status, error = 422, "That location no longer exists: reload the list and choose another."
    elif form.validate():
        move = stock.restock if form.op.data == "restock" else stock.withdraw
        moved = attempt(
            lambda: move(item_id, form.quantity.data, actor=current_actor(), location_id=location_id), quiet=True
        )
        if moved.ok:
            verb = "Restocked" if form.op.data == "restock" else "Withdrew"
            at = f" at {place.path}" if place is not None else ""
            done = f"{verb} {show(form.quantity.data)} {item.unit}{at}."
        else:
            status, error = moved.status, moved.error.message
    else:
        status, error = 422, " ".join(form.quantity.errors or form.op.errors or form.location_id.errors)
    item = items.get_item(item_id)
    return (
        render_template(
            "items/_row.html",
            item=item,
            categories=category_names(),
            paths=locations.paths_of([item.location_id]),
            **_at_location(location_id, [item]),
            row_error=error,
            row_done=done,
            typed=form.typed if error else "",
        ),
        status,
    )
