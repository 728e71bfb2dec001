"""Sending a purchase order emails the supplier its PDF exactly once: real worker, fake SendGrid."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.helpers import purchasing as buy
from tests.helpers.tasks import outbox_rows, wait_for


def _send(web_app, factory, order_id: int):
    response = web_app.test_client().post(
        f"/api/v1/purchase-orders/{order_id}/send", headers=factory.headers("manager")
    )
    assert response.status_code == 200, response.text
    return response


def _draft(app, factory) -> int:
    boss = factory.user("manager")
    supplier = buy.supplier(app, name="Acme Parts", email="sales@acme.example")
    item = factory.item(name="Hex bolt M8", sku="HB-8")
    return buy.order(app, supplier.id, [(item.id, 40)], actor_id=boss.id)


def test_order_redelivered_during_a_slow_send_reaches_the_supplier_once_with_its_pdf(
    app, web_app, factory, sendgrid, processes, queue_env
):
    # The provider holds the first call past the broker's visibility timeout (3 s): Redis hands
    # the task to a second worker while the first is still sending.
    sendgrid.script = ["slow"]
    env = {**queue_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url}
    queue = queue_env["CELERY_TASK_DEFAULT_QUEUE"]
    processes.worker(env, queue, "first")
    order_id = _draft(app, factory)
    _send(web_app, factory, order_id)
    wait_for(sendgrid.held.is_set, what="the supplier's email to be in flight")
    second = processes.worker(env, queue, "second")
    try:
        wait_for(lambda: "in flight" in Path(second.log_path).read_text(), timeout=30, what="the redelivered copy")
    finally:
        sendgrid.release.set()
    wait_for(
        lambda: [r.state for r in outbox_rows(app, "purchase-order:")] == ["sent"], what="the order's email recorded"
    )
    wait_for(lambda: "succeeded" in Path(second.log_path).read_text(), timeout=30, what="the second copy done")

    assert len(sendgrid.requests) == 1
    assert sendgrid.accepted_to() == ["sales@acme.example"]
    mail = sendgrid.accepted[0]
    assert mail["subject"].startswith(f"Purchase order #{order_id}")
    (attachment,) = mail["attachments"]
    assert (attachment["filename"], attachment["type"]) == (f"purchase-order-{order_id}.pdf", "application/pdf")
    assert base64.b64decode(attachment["content"]).startswith(b"%PDF")


def test_order_email_refused_once_by_the_provider_is_retried_and_sent_once(
    app, web_app, factory, sendgrid, processes, queue_env
):
    sendgrid.script = [503]
    env = {**queue_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url}
    processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"])
    order_id = _draft(app, factory)
    _send(web_app, factory, order_id)
    wait_for(lambda: [r.state for r in outbox_rows(app, f"purchase-order:{order_id}")] == ["sent"], what="sent")
    assert len(sendgrid.requests) == 2 and sendgrid.accepted_to() == ["sales@acme.example"]
