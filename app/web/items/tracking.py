"""What a tracked item's page adds (issue 27): its lots (expiring ones highlighted, blocked ones
marked), its serials in stock (paged), and the lot picker's choices. Reads only, through
app.services.traceability; the forms are in app/web/items/forms.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app

from app.models import Tracking
from app.services import traceability
from app.services.stock.lots import today
from app.web.common import int_arg, page_links
from app.web.items.forms import set_lot_choices

SERIALS_PER_PAGE = 50
DEFAULT_EXPIRY_WARNING_DAYS = 30


def warning_days() -> int:
    return int(current_app.config.get("EXPIRY_WARNING_DAYS", DEFAULT_EXPIRY_WARNING_DAYS))


def _flagged(lots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    on, soon = today(), today() + timedelta(days=warning_days())
    for lot in lots:
        expires = lot["expires_on"]
        lot["expired"] = bool(expires and expires < on)
        lot["expiring"] = bool(expires and on <= expires <= soon)
    return lots


def fefo_first(lots: list[dict[str, Any]], location_id: int | None) -> dict[str, Any] | None:
    """The lot a FEFO pick at `location_id` takes first: lots come in FEFO order; skip blocked, expired, empty."""
    for lot in lots:
        here = any(level["location_id"] == location_id for level in lot["levels"])
        if here and lot["status"] != "blocked" and not lot["expired"]:
            return lot
    return None


def tracked_panel(item, forms: dict) -> dict[str, Any]:
    """The template's extra context for a tracked item, and the lot pickers' choices set on `forms`."""
    if item.tracking == Tracking.LOT:
        lots = _flagged(traceability.item_lots(item.id))
        for name, place in (("withdraw", "location_id"), ("transfer", "from_location_id")):
            chosen = getattr(forms[name], place).data or item.location_id
            set_lot_choices(forms[name], lots, fefo_first(lots, chosen), today())
        return {"lots": lots, "warning_days": warning_days(), "serials": None}
    if item.tracking == Tracking.SERIAL:
        page = traceability.serials_in_stock_page(
            item.id, page=int_arg("serials_page", 1, minimum=1), per_page=SERIALS_PER_PAGE
        )
        return {"lots": None, "serials": page, "serial_links": page_links(page)}
    return {"lots": None, "serials": None}
