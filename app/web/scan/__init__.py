"""Scanning: the links our QR codes carry (/s/I12, /s/L7) and the Scan page."""

from flask import Blueprint, redirect, url_for

from app.permissions import Permission, require
from app.services import items, locations

bp = Blueprint("scan", __name__)


@bp.get("/s/I<int:item_id>")
@require(Permission.ITEMS_READ)
def item_link(item_id: int):
    """An item's QR code opens its page (a phone's camera app lands here)."""
    items.get_item(item_id)  # a deleted or unknown item is the 404 page
    return redirect(url_for("items.detail", item_id=item_id))


@bp.get("/s/L<int:location_id>")
@require(Permission.CATALOG_READ)
def location_link(location_id: int):
    location = locations.get_location(location_id)
    return redirect(url_for("locations.detail", obj_id=location.id))
