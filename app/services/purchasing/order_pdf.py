"""A purchase order as a PDF (reportlab, like the labels): header, supplier, lines, total."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from app.extensions import db
from app.models import Item, PurchaseOrder, Supplier
from app.money import format_money
from app.services.purchasing.orders import order_total
from app.services.quantities import show

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

MARGIN = 18 * mm
ROW = 6 * mm
# x of each column's left edge (right edge for numbers), in points from the page's left
COLUMNS = {"sku": MARGIN, "name": MARGIN + 38 * mm, "qty": 140 * mm, "price": 163 * mm, "total": 192 * mm}


def order_pdf(order: PurchaseOrder, *, company: str = "Inventory") -> bytes:
    """The order as a one- or multi-page A4 PDF."""
    supplier = db.session.get(Supplier, order.supplier_id)
    buffer = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas  # here, not at start: ~4 MB a web worker needs only for a PDF

    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"Purchase order {order.id}")
    width, height = A4
    y = _header(canvas, order, supplier, company, height)
    for line in order.lines:
        if y < MARGIN + 2 * ROW:
            canvas.showPage()
            y = _columns(canvas, height - MARGIN)
        item = db.session.get(Item, line.item_id)
        offer_sku = _supplier_sku(item.id, supplier.id)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(COLUMNS["sku"], y, _clip(offer_sku or item.sku, 22))
        canvas.drawString(COLUMNS["name"], y, _clip(item.name, 52))
        canvas.drawRightString(COLUMNS["qty"], y, f"{show(line.quantity)} {_clip(item.unit, 6)}")
        canvas.drawRightString(COLUMNS["price"], y, format_money(line.unit_price))
        canvas.drawRightString(COLUMNS["total"], y, format_money(line.quantity * line.unit_price))
        y -= ROW
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawRightString(COLUMNS["total"], y - ROW / 2, f"Total {format_money(order_total(order))}")
    canvas.save()
    return buffer.getvalue()


def _header(canvas: Canvas, order: PurchaseOrder, supplier: Supplier, company: str, height: float) -> float:
    y = height - MARGIN
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(MARGIN, y, f"Purchase order #{order.id}")
    canvas.setFont("Helvetica", 10)
    y -= 8 * mm
    details = [
        f"From: {company}",
        f"To: {supplier.name}" + (f" ({supplier.contact})" if supplier.contact else ""),
        f"Email: {supplier.email or '-'}   Phone: {supplier.phone or '-'}",
        f"Date: {(order.sent_at or order.created_at):%Y-%m-%d}   Expected: {order.expected_date or '-'}",
    ]
    if order.note:
        details.append(f"Note: {_clip(order.note, 100)}")
    for text in details:
        canvas.drawString(MARGIN, y, text)
        y -= ROW
    return _columns(canvas, y - ROW)


def _columns(canvas: Canvas, y: float) -> float:
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(COLUMNS["sku"], y, "Your SKU")
    canvas.drawString(COLUMNS["name"], y, "Item")
    canvas.drawRightString(COLUMNS["qty"], y, "Quantity")
    canvas.drawRightString(COLUMNS["price"], y, "Unit price")
    canvas.drawRightString(COLUMNS["total"], y, "Amount")
    canvas.line(MARGIN, y - 2, COLUMNS["total"], y - 2)
    return y - ROW


def _supplier_sku(item_id: int, supplier_id: int) -> str | None:
    from app.services.purchasing.suppliers import offer_of

    offer = offer_of(item_id, supplier_id)
    return offer.supplier_sku if offer else None


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
