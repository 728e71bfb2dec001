"""Scanning: the links our QR codes carry (/s/I12, /s/L7) and the Scan page."""

from flask import Blueprint, redirect, render_template, url_for

from app.auth import current_actor
from app.headers import CONTENT_SECURITY_POLICY
from app.permissions import Permission, can, require
from app.services import barcodes, items, locations

bp = Blueprint("scan", __name__)


@bp.app_template_global("item_barcodes")
def item_barcodes(item_id: int) -> list[str]:
    """An item's manufacturer barcodes, for its page (templates/scan/_item_codes.html)."""
    return barcodes.codes_of(item_id)


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


@bp.get("/scan")
@require(Permission.ITEMS_READ)
def index():
    """The Scan page: camera or keyboard-wedge scans, looked up or gathered into one batch."""
    user = current_actor()
    return render_template(
        "scan/index.html",
        can_move=can(user, Permission.STOCK_MOVE),
        can_attach=can(user, Permission.ITEMS_EDIT),
        can_count=can(user, Permission.COUNTS_COUNT),  # into an open count; managers also directly
        can_adjust=can(user, Permission.STOCK_ADJUST),
    )


# The barcode reader is ZXing compiled to WebAssembly: compiling it needs 'wasm-unsafe-eval'
# (which allows no JavaScript eval), on this page only.
index.talisman_view_options = {  # type: ignore[attr-defined]  (read by flask-talisman per view)
    "content_security_policy": {**CONTENT_SECURITY_POLICY, "script-src": "'self' 'wasm-unsafe-eval'"}
}
