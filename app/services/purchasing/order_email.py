"""A sent purchase order emailed to its supplier with its PDF, once, through the core's outbox."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.models import PurchaseOrder, Supplier
from app.services.mailer import Email, deliver
from app.services.purchasing.order_pdf import order_pdf


def purchase_order_key(order_id: int) -> str:
    """The outbox key of an order's email (app/services/pending_email.py sweeps by it)."""
    return f"purchase-order:{order_id}"


def send_purchase_order(order_id: int) -> int:
    """Email a sent order's PDF to its supplier, once (the outbox row's key). Raises SendError."""
    order = db.session.get(PurchaseOrder, order_id)
    if order is None or order.sent_at is None or not order.sent_to:
        return 0
    supplier = db.session.get(Supplier, order.supplier_id)
    company = current_app.config.get("COMPANY_NAME") or "Inventory"
    text = (
        f"Hello {supplier.contact or supplier.name},\n\n"
        f"Please find attached our purchase order #{order.id} ({len(order.lines)} line(s)).\n"
        f"Expected delivery: {order.expected_date or 'as soon as possible'}.\n\n"
        f"Thank you,\n{company}\n"
    )
    email = Email(
        to=order.sent_to,
        subject=f"Purchase order #{order.id} from {company}",
        text=text,
        attachment_name=f"purchase-order-{order.id}.pdf",
        attachment=order_pdf(order, company=company),
        attachment_type="application/pdf",
    )
    return int(deliver(purchase_order_key(order.id), email))
