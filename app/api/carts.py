"""/api/v1/carts/current: the caller's working cart (add, change, remove lines) and submitting it as a request."""

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.request import (
    CartLineCreateSchema,
    CartLinePatchSchema,
    CartSchema,
    LineSchema,
    RequestDetailSchema,
    SubmitSchema,
)
from app.services.requests import carts
from app.services.requests import workflow as requests

bp = Blueprint(
    "api_carts", __name__, url_prefix="/api/v1/carts/current", description="Your working cart, and submitting it."
)


@bp.get("/lines")
@require(Permission.CART_USE)
@bp.response(200, CartSchema)
def get_cart():
    """Your cart; each line shows what its source location holds now and is flagged `short` when asking for more."""
    return carts.get_cart(current_actor())


@bp.post("/lines")
@require(Permission.CART_USE)
@bp.arguments(CartLineCreateSchema)
@bp.response(201, LineSchema)
def add_line(body: dict):
    """Add an item from a location (its home by default); the same item and location again adds up."""
    return carts.add_line(current_actor(), body["item_id"], body["quantity"], body.get("location_id"))


@bp.delete("/lines")
@require(Permission.CART_USE)
@bp.response(204)
def clear_cart():
    """Empty the cart."""
    carts.clear(current_actor())


@bp.patch("/lines/<int:line_id>")
@require(Permission.CART_USE)
@bp.arguments(CartLinePatchSchema)
@bp.response(200, LineSchema)
def update_line(body: dict, line_id: int):
    """Change a line's quantity or source location."""
    return carts.update_line(current_actor(), line_id, **body)


@bp.delete("/lines/<int:line_id>")
@require(Permission.CART_USE)
@bp.response(204)
def remove_line(line_id: int):
    """Take a line out of the cart."""
    carts.remove_line(current_actor(), line_id)


@bp.post("/submit")
@require(Permission.REQUESTS_SUBMIT)
@bp.arguments(SubmitSchema)
@bp.response(201, RequestDetailSchema)
def submit(body: dict):
    """Turn the cart into a `pick` or `transfer` request (which needs `destination_location_id`); empties the cart."""
    return requests.describe(requests.submit(current_actor(), **body))
