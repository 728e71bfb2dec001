"""What a buyer or a receiving clerk scanned: the item a new line is for, the order line an item
code (or a line number) names with the lot, expiry or serial its GS1 code carries, and the bin.
Each refusal names the form field it belongs to."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.models import Location, PurchaseOrder, PurchaseOrderLine, Tracking
from app.services.scanning import codes as scan
from app.services.scanning.gs1 import GS1Data


def item_for(code: str) -> int:
    """The item a scanned or typed code names, for a new order line. Raises ValidationFailed (on `item`)."""
    try:
        found = scan.resolve(code)
    except DomainError as exc:  # an unknown code
        raise ValidationFailed(exc.message, fields={"item": [exc.message]}) from exc
    if found.type != "item":
        raise ValidationFailed("That is a location.", fields={"item": ["Scan or type an item, not a location."]})
    return found.id


def line_for(order: PurchaseOrder, code: str) -> PurchaseOrderLine:
    """The order's line for a scanned item code, SKU, barcode or line number. Raises ValidationFailed (on `code`)."""
    text = (code or "").strip()
    if text.isdigit():
        line = next((line for line in order.lines if line.id == int(text)), None)
        if line is not None:
            return line
    try:
        found = scan.resolve(text)
    except DomainError as exc:
        raise ValidationFailed(exc.message, fields={"code": [exc.message]}) from exc
    if found.type != "item":
        raise ValidationFailed(
            "That is a location, not an item.", fields={"code": ["Scan the item here, the bin below."]}
        )
    line = next((line for line in order.lines if line.item_id == found.id), None)
    if line is None:
        message = f"{found.summary.get('sku', 'This item')} is not on purchase order #{order.id}."
        raise ValidationFailed(message, fields={"code": [message]})
    return line


def bin_for(code: str) -> int:
    """The location a scanned code, a location link or a typed path names. Raises ValidationFailed (on `bin`)."""
    text = (code or "").strip()
    path_match = db.session.execute(
        sa.select(Location.id).where(sa.func.lower(Location.path) == text.lower(), Location.deleted_at.is_(None))
    ).scalar()
    if path_match is not None:
        return path_match
    try:
        found = scan.resolve(text)
    except DomainError as exc:
        raise ValidationFailed(exc.message, fields={"bin": [exc.message]}) from exc
    if found.type != "location":
        raise ValidationFailed("That is an item, not a bin.", fields={"bin": ["Scan the bin's label."]})
    return found.id


def split_serials(text: str | None) -> list[str]:
    """The serials typed or scanned one after another (a line, comma or space between them)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def traced_entry(
    order: PurchaseOrder,
    code: str,
    *,
    quantity: Decimal | None,
    lot: str | None = None,
    expires_on: date | None = None,
    serials: list[str] | None = None,
) -> tuple[PurchaseOrderLine, dict[str, Any]]:
    """The order line a scanned code names and its receipt entry (without the bin): a tracked
    item's lot, expiry and serial come from the form, else from the GS1 code itself.

    Raises ValidationFailed (on `code`; on `quantity` when neither it nor serials are given).
    An untracked item's form lot or serials are passed on, for the stock service to refuse."""
    line, data = _line_and_gs1(order, code)
    tracking = line.item.tracking
    entry: dict[str, Any] = {"line_id": line.id}
    if lot:
        entry["lot"] = lot.strip()
    elif tracking == Tracking.LOT and data is not None and data.lot:
        entry["lot"] = data.lot
    if expires_on is not None:
        entry["expires_on"] = expires_on
    elif tracking == Tracking.LOT and data is not None and data.expires_on is not None:
        entry["expires_on"] = data.expires_on
    units = list(serials or [])
    if tracking == Tracking.SERIAL and not units and data is not None and data.serial:
        units = [data.serial]
    if units:
        entry["serials"] = units
    if quantity is None and not units:
        raise ValidationFailed("Enter a quantity.", fields={"quantity": ["Enter a quantity."]})
    entry["quantity"] = quantity if quantity is not None else Decimal(len(units))
    return line, entry


def _line_and_gs1(order: PurchaseOrder, code: str) -> tuple[PurchaseOrderLine, GS1Data | None]:
    line = line_for(order, code)
    text = (code or "").strip()
    if text.isdigit() and any(other.id == int(text) for other in order.lines):
        return line, None
    try:
        return line, scan.resolve(text).gs1
    except DomainError:  # line_for resolved it already; nothing more to read
        return line, None
