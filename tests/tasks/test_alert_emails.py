"""Low-stock alert emails through a real worker, a real Redis queue and a fake SendGrid server."""

from __future__ import annotations

from tests.helpers.tasks import alert_for, outbox_rows, wait_for


def _low_stock_via_api(web_app, factory) -> tuple[object, list]:
    managers = [factory.user("manager", email=f"boss{n}@example.com") for n in (1, 2)]
    location = factory.location("Main store")
    item = factory.item(
        quantity=10, low_stock_threshold=5, location=location, name="Blue widget", sku="BW-1", actor=managers[0]
    )
    headers = factory.headers("staff")
    response = web_app.test_client().post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=headers)
    assert response.status_code == 200, response.text
    return item, managers


def test_alert_emails_each_manager_once_after_sendgrid_500(app, web_app, factory, sendgrid, processes, queue_env):
    sendgrid.script = [500, 202, 202]
    processes.worker(
        {**queue_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url},
        queue_env["CELERY_TASK_DEFAULT_QUEUE"],
    )
    item, managers = _low_stock_via_api(web_app, factory)

    alert = wait_for(lambda: (a := alert_for(app, item.id)) and a.sent_at and a, what="alert sent")

    assert sendgrid.accepted_to() == ["boss1@example.com", "boss2@example.com"]
    assert len(sendgrid.requests) == 3  # the 500, its retry, the second manager
    assert alert.send_error is None
    assert alert.recipients == "boss1@example.com,boss2@example.com"
    first = sendgrid.accepted[0]
    text = first["content"][0]["value"]
    for fact in (
        "Blue widget",
        "BW-1",
        "Quantity:   4 pcs",
        "Threshold:  5",
        "Main store",
        f"http://inventory.test/items/{item.id}",
    ):
        assert fact in text
    assert first["from"]["email"] == "inventory@example.com"
    assert [row.transport for row in outbox_rows(app, "alert:")] == ["sendgrid", "sendgrid"]


def test_alert_email_redelivered_after_worker_killed_mid_send_reaches_each_manager_once(
    app, web_app, factory, sendgrid, processes, queue_env
):
    # The first manager's email is accepted; the second is in flight when the worker dies.
    sendgrid.script = [202, "hold"]
    # boss2's row stays "sending": the second worker takes it over once it is older than the
    # provider timeout (+5 s grace), since nobody can know whether SendGrid took it.
    env = {**queue_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url, "SENDGRID_TIMEOUT": "3"}
    first = processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"], "first")
    item, managers = _low_stock_via_api(web_app, factory)

    wait_for(sendgrid.held.is_set, what="the second send to be in flight")
    processes.kill(first)
    sendgrid.release.set()
    assert alert_for(app, item.id).sent_at is None
    processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"], "second")

    alert = wait_for(lambda: (a := alert_for(app, item.id)) and a.sent_at and a, what="redelivered alert sent")
    assert sendgrid.accepted_to() == ["boss1@example.com", "boss2@example.com"]
    assert len(sendgrid.requests) == 3  # boss1 once, boss2 twice (the first attempt never answered)
    assert alert.send_error is None


def test_alert_permanent_sendgrid_failure_is_recorded_and_shown_to_managers(app, factory, sendgrid):
    import tasks  # noqa: F401  (registers the tasks with the suite's Celery app)

    boss = factory.user("manager", email="boss@example.com")
    item = factory.item(quantity=10, low_stock_threshold=5, actor=boss)
    headers = factory.headers("staff")
    assert (
        app.test_client().post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=headers).status_code
        == 200
    )
    alert = alert_for(app, item.id)
    sendgrid.script = [400]
    app.config.update(SENDGRID_API_KEY="SG.test", SENDGRID_HOST=sendgrid.url)
    try:
        result = app.extensions["celery"].tasks["tasks.email.send_low_stock_alert"].apply(args=[alert.id])
    finally:
        app.config.update(SENDGRID_API_KEY=None, SENDGRID_HOST="https://api.sendgrid.com")

    assert result.failed()
    assert len(sendgrid.requests) == 1  # a 400 is not retried
    alert = alert_for(app, item.id)
    assert alert.sent_at is None
    assert "SendGrid answered 400" in alert.send_error
    manager = factory.headers("manager")
    listed = app.test_client().get("/api/v1/alerts", headers=manager).get_json()
    assert "SendGrid answered 400" in str(listed)
    page = app.test_client().get("/reports", headers=manager)
    assert page.status_code == 200 and "SendGrid answered 400" in page.text
