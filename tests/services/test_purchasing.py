"""Purchasing services: the owed supplier email, the development outbox, on_order kept in step, the PDF."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Item, OutboxEmail, PurchaseOrderLine
from app.models.purchasing import OPEN_STATES, PurchaseOrder
from app.services import pending_email
from app.services.purchasing import order_email, order_pdf
from app.services.purchasing import orders as purchasing
from tests.helpers import purchasing as buy

pytestmark = pytest.mark.core

NOW, HOUR = timedelta(0), timedelta(hours=1)


def _sent_order(app, factory, lines=((None, 5),)) -> tuple[int, list[int]]:
    boss = factory.user("manager")
    supplier = buy.supplier(app, name="Acme Parts", email="sales@acme.example")
    item_ids = [item_id or factory.item().id for item_id, _qty in lines]
    order_id = buy.order(
        app, supplier.id, list(zip(item_ids, [q for _i, q in lines], strict=True)), actor_id=boss.id, send=True
    )
    return order_id, item_ids


def test_a_sent_order_is_owed_its_email_until_it_went_to_the_outbox(app, factory, ctx):
    order_id, _items = _sent_order(app, factory)
    assert pending_email.pending(grace=NOW, max_age=HOUR).purchase_order_ids == [order_id]
    assert pending_email.pending(grace=HOUR, max_age=2 * HOUR).purchase_order_ids == []  # its own task may still run

    # No SendGrid key: the development outbox keeps it, with the PDF's name.
    assert order_email.send_purchase_order(order_id) == 1
    assert order_email.send_purchase_order(order_id) == 0  # a second delivery of the task sends nothing
    row = db.session.execute(sa.select(OutboxEmail)).scalar_one()
    assert (row.recipient, row.transport, row.attachment_name) == (
        "sales@acme.example",
        "outbox",
        f"purchase-order-{order_id}.pdf",
    )
    assert pending_email.pending(grace=NOW, max_age=HOUR).purchase_order_ids == []


def test_drafts_are_never_emailed(app, factory, ctx):
    boss = factory.user("manager")
    supplier = buy.supplier(app, name="Draft Co")
    draft = buy.order(app, supplier.id, [(factory.item().id, 1)], actor_id=boss.id)
    assert order_email.send_purchase_order(draft) == 0
    assert pending_email.pending(grace=NOW, max_age=HOUR).purchase_order_ids == []


def test_on_order_always_equals_what_remains_on_open_orders(app, factory, ctx):
    order_id, (first, second) = _sent_order(app, factory, lines=((None, 10), (None, Decimal(4))))
    bin_id = factory.location("Bin 1").id
    actor = factory.actor("staff")
    lines = buy.line_ids(app, order_id)
    purchasing.receive(order_id, [{"line_id": lines[0], "quantity": 3, "location_id": bin_id}], actor=actor)

    def consistent() -> None:
        db.session.expire_all()
        remaining = dict(
            db.session.execute(
                sa.select(
                    PurchaseOrderLine.item_id, sa.func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received)
                )
                .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
                .where(PurchaseOrder.state.in_(OPEN_STATES))
                .group_by(PurchaseOrderLine.item_id)
            ).all()
        )
        for item_id in (first, second):
            assert db.session.get(Item, item_id).on_order == remaining.get(item_id, 0)

    consistent()
    assert (db.session.get(Item, first).on_order, db.session.get(Item, second).on_order) == (7, 4)
    manager = factory.actor("manager")
    purchasing.cancel(order_id, actor=manager)
    consistent()
    assert db.session.get(Item, first).on_order == 0


def test_order_pdf_runs_over_several_pages_for_a_long_order(app, factory, ctx):
    boss = factory.user("manager")
    supplier = buy.supplier(app, name="Long List Ltd", contact="Bo")
    location = factory.location()
    items = [factory.item(location=location, name=f"Part {n} " + "x" * 80).id for n in range(70)]
    order_id = buy.order(app, supplier.id, [(i, 1) for i in items], actor_id=boss.id, note="Deliver to the back door")
    pdf = order_pdf.order_pdf(db.session.get(PurchaseOrder, order_id))
    pages = re.findall(rb"/Type /Page(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) >= 2


def test_valuation_report_gains_stock_on_order_and_spend_adds_up_per_supplier(app, factory, ctx):
    from app.services import reports
    from app.services.purchasing import reports as purchase_reports

    order_id, (item_id,) = _sent_order(app, factory, lines=((None, 10),))  # 10 at 2.00 each
    bin_id = factory.location("Bin 7").id
    actor = factory.actor("staff")
    purchasing.receive(
        order_id, [{"line_id": buy.line_ids(app, order_id)[0], "quantity": 4, "location_id": bin_id}], actor=actor
    )

    data = reports.valuation()
    sku = db.session.get(Item, item_id).sku
    assert [(row[0], row[2], row[3]) for row in data.on_order] == [(sku, 6, Decimal("12.00"))]
    assert f"on_order,{db.session.get(Item, item_id).name},{sku},,6,12.00" in reports.to_csv(data)
    spend = purchase_reports.spend_by_supplier_month()
    assert [(row.supplier, row.amount) for row in spend] == [("Acme Parts", Decimal("8.00"))]
    assert [o.id for o in purchase_reports.open_orders()] == [order_id]
