"""Purchasing test data made through the real services: suppliers, offers, orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def supplier(app, **fields: Any):
    from app.extensions import db
    from app.services.purchasing import suppliers

    data = {"name": f"Supplier {fields.pop('n', '')}".strip(), "email": "orders@supplier.example", "lead_time_days": 7}
    data.update(fields)
    with app.app_context():
        found = suppliers.create_supplier(data)
        db.session.refresh(found)
        db.session.expunge(found)
        return found


def offer(app, item_id: int, supplier_id: int, **fields: Any):
    from app.extensions import db
    from app.services.purchasing import suppliers

    data = {"supplier_id": supplier_id, "unit_price": Decimal("1.25"), **fields}
    with app.app_context():
        made = suppliers.add_offer(item_id, data)
        db.session.expunge(made)
        return made


def order(
    app, supplier_id: int, lines: list[tuple[int, Any]], *, actor_id: int, send: bool = False, **fields: Any
) -> int:
    """A purchase order (its id) with lines (item_id, quantity); sent when asked."""
    from app.extensions import db
    from app.models import User
    from app.services.purchasing import orders as purchasing

    with app.app_context():
        actor = db.session.get(User, actor_id)
        made = purchasing.create_order(
            {
                "supplier_id": supplier_id,
                "lines": [{"item_id": i, "quantity": Decimal(str(q)), "unit_price": Decimal("2")} for i, q in lines],
                **fields,
            },
            actor=actor,
        )
        if send:
            purchasing.send(made.id, actor=actor)
        order_id = made.id
        db.session.remove()
        return order_id


def line_ids(app, order_id: int) -> list[int]:
    from app.extensions import db
    from app.models import PurchaseOrderLine

    with app.app_context():
        import sqlalchemy as sa

        ids = db.session.execute(
            sa.select(PurchaseOrderLine.id).where(PurchaseOrderLine.order_id == order_id).order_by(PurchaseOrderLine.id)
        ).scalars()
        result = list(ids)
        db.session.remove()
        return result
