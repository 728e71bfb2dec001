"""What a scanned text names: an item or a location, by our link, short code, SKU, barcode or GTIN.

Every lookup is one index probe (primary key, item_barcodes.code, lower(sku) among active
items), so resolving a scan costs the same at a thousand items or a million. A GTIN (from a
GS1 element string, or a plain 8/12/13/14-digit code written differently from the stored
barcode) compares as GTIN-14: its few spellings (leading zeros dropped) are looked up in the
same item_barcodes.code index, so no normalised column is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.errors import NotFound
from app.extensions import db
from app.limits import BARCODE_LENGTH, MAX_CODE_LENGTH, MAX_ID
from app.models import Item, ItemBarcode, Location
from app.models.base import normalise
from app.services.scanning import gs1
from app.services.scanning.gs1 import GS1Data

SHORT_CODE = re.compile(r"^([IL])(\d{1,10})$", re.IGNORECASE)
LINK_PATH = re.compile(r"^/s/([IL])(\d{1,10})/?$")


class UnknownCode(NotFound):
    code = "unknown_code"


@dataclass
class Resolved:
    type: str  # "item" | "location"
    id: int
    summary: dict[str, Any]
    gs1: GS1Data | None = None  # what a GS1 element string said besides the GTIN


def base_url() -> str:
    return current_app.config["APP_BASE_URL"].rstrip("/")


def item_link(item_id: int) -> str:
    """The text of an item's QR code: a link a phone's camera app opens."""
    return f"{base_url()}/s/I{item_id}"


def location_link(location_id: int) -> str:
    return f"{base_url()}/s/L{location_id}"


def resolve(text: str) -> Resolved:
    """The item or location a scanned text names.

    Raises UnknownCode, and (a GS1 element string) InvalidGtin or InvalidGS1.
    """
    code = (text or "").strip()
    if not code or len(code) > MAX_CODE_LENGTH:
        raise UnknownCode("Nothing was scanned." if not code else "That code is too long to be one of ours.")
    ours = _our_code(code)
    if ours is not None:
        found = _by_id(*ours)
        if found is not None:
            return found
    if len(code) <= BARCODE_LENGTH:
        found = _item_by_text(code)
        if found is not None:
            return Resolved("item", found[0].id, item_summary(*found))
    data = gs1.parse(code)
    if data is not None:
        return _by_gs1(code, data)
    gtin = gs1.gtin14(code)
    found = _item_by_gtin(gtin) if gtin is not None else None
    if found is not None:
        return Resolved("item", found[0].id, item_summary(*found))
    if gtin is None and code.isdigit() and len(code) in gs1.CHECKED_LENGTHS:
        # A UPC-A, EAN-13 or GTIN-14 with a wrong check digit (no item can carry one): misread or mistyped.
        right = gs1.expected_check_digit(code)
        raise gs1.InvalidGtin(
            f"{code} is not a valid GTIN: the check digit should be {right}.",
            fields={"code": [f"Wrong check digit (should be {right})."]},
        )
    raise UnknownCode(f"No item or location has the code {code!r}.", scanned=code)


def _by_gs1(code: str, data: GS1Data) -> Resolved:
    if data.gtin is None:
        raise UnknownCode("This GS1 code names no product (it has no GTIN).", scanned=code, gs1=data.as_dict())
    found = _item_by_gtin(data.gtin)
    if found is None:
        # The GTIN, not the whole element string, is what a manager would add to an item as its barcode.
        raise UnknownCode(f"No item has the GTIN {data.gtin}.", scanned=data.gtin, gs1=data.as_dict())
    return Resolved("item", found[0].id, item_summary(*found), data)


def _our_code(code: str) -> tuple[str, int] | None:
    """('I'|'L', id) for a short code (I12, L7) or our link (…/s/I12), else None."""
    match = SHORT_CODE.match(code)
    if match is None and "/s/" in code:
        parts = urlsplit(code)
        if (parts.scheme in ("http", "https") and code.startswith(base_url() + "/")) or not parts.scheme:
            match = LINK_PATH.match(parts.path)
    if match is None or int(match.group(2)) > MAX_ID:
        return None
    return match.group(1).upper(), int(match.group(2))


def _by_id(kind: str, ident: int) -> Resolved | None:
    if kind == "I":
        found = db.session.execute(_ITEM_BY_ID, {"item_id": ident}).first()
        return Resolved("item", ident, item_summary(*found)) if found is not None else None
    location = db.session.get(Location, ident)
    if location is None or location.deleted_at is not None:
        return None
    return Resolved("location", ident, location_summary(location))


# Each a single statement that also brings the home location's path (one round trip per scan).
_ITEM_WITH_PATH = sa.select(Item, Location.path).join(Location, Location.id == Item.location_id)
_ITEM_BY_ID = _ITEM_WITH_PATH.where(Item.id == sa.bindparam("item_id"), sa.not_(Item.is_deleted))
# A manufacturer's barcode first, then an SKU in any case: two index probes in one statement
# (a UNION ALL: an OR of the two would make PostgreSQL walk every item).
_MATCHES = sa.union_all(
    sa.select(ItemBarcode.item_id.label("item_id"), sa.literal_column("0").label("rank")).where(
        ItemBarcode.code == sa.bindparam("code")
    ),
    sa.select(Item.id, sa.literal_column("1")).where(
        sa.func.lower(Item.sku) == sa.bindparam("sku"), sa.not_(Item.is_deleted)
    ),
).subquery("matches")
_ITEM_BY_TEXT = (
    _ITEM_WITH_PATH.join(_MATCHES, _MATCHES.c.item_id == Item.id)
    .where(sa.not_(Item.is_deleted))
    .order_by(_MATCHES.c.rank)
    .limit(1)
)


def _item_by_text(code: str) -> tuple[Item, str] | None:
    found = db.session.execute(_ITEM_BY_TEXT, {"code": code, "sku": code.lower()}).first()
    return (found[0], found[1]) if found is not None else None


_ITEM_BY_GTIN = (
    _ITEM_WITH_PATH.join(ItemBarcode, ItemBarcode.item_id == Item.id)
    .where(ItemBarcode.code.in_(sa.bindparam("forms", expanding=True)), sa.not_(Item.is_deleted))
    .order_by(Item.id)
    .limit(1)
)


def _item_by_gtin(gtin: str) -> tuple[Item, str] | None:
    found = db.session.execute(_ITEM_BY_GTIN, {"forms": gs1.gtin_forms(gtin)}).first()
    return (found[0], found[1]) if found is not None else None


def item_gtin(item_id: int) -> str | None:
    """The item's GTIN as GTIN-14 (its first barcode that is a valid GTIN-8/12/13/14), for a lot's label."""
    query = sa.select(ItemBarcode.code).where(ItemBarcode.item_id == item_id).order_by(ItemBarcode.id)
    return next((gtin for code in db.session.execute(query).scalars() if (gtin := gs1.gtin14(code))), None)


def item_summary(item: Item, path: str | None) -> dict[str, Any]:
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "unit": item.unit,
        "decimals": item.decimals,
        "quantity": normalise(item.quantity),
        "location_id": item.location_id,
        "location_path": path,
        "link": item_link(item.id),
        **_tracking(item),
    }


def _tracking(item: Item) -> dict[str, Any]:
    # Lot and serial tracking (issue 27) adds Item.tracking; the Scan page sends lots only for tracked items.
    tracking = getattr(item, "tracking", None)
    return {"tracking": tracking} if tracking is not None else {}


def location_summary(location: Location) -> dict[str, Any]:
    return {
        "id": location.id,
        "name": location.name,
        "path": location.path,
        "is_structural": location.is_structural,
        "link": location_link(location.id),
    }
