"""What a buyer or a receiving clerk scanned: the item a new line is for, the order line an item
code (or a line number) names, and the bin. Each refusal names the form field it belongs to."""

from __future__ import annotations

import sqlalchemy as sa

from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.models import Location, PurchaseOrder, PurchaseOrderLine
from app.services.scanning import codes as scan


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
