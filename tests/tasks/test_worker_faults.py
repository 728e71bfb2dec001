"""Faults around the pipeline: a forked worker pool, a Redis outage, a slow provider.

Each test prints its figures (alerts raised, emails sent, duplicates) for the issue's note.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.tasks import alert_for, outbox_rows, procfile_concurrency, wait_for

BURST = 20


def _sent_alerts(app, item_ids: list[int]) -> int:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Alert

    with app.app_context():
        try:
            return db.session.scalar(
                sa.select(sa.func.count()).where(Alert.item_id.in_(item_ids), Alert.sent_at.is_not(None))
            )
        finally:
            db.session.remove()


def _figures(sendgrid) -> tuple[Counter, int]:
    with sendgrid.lock:
        accepted = Counter((p["personalizations"][0]["to"][0]["email"], p["subject"]) for p in sendgrid.accepted)
    return accepted, sum(n - 1 for n in accepted.values())


def test_burst_of_alerts_on_forked_pool_each_emailed_exactly_once(
    app, web_app, factory, sendgrid, processes, queue_env
):
    boss = factory.user("manager", email="boss@example.com")
    items = [
        factory.item(quantity=10, low_stock_threshold=5, name=f"Burst item {n}", sku=f"BURST-{n}", actor=boss)
        for n in range(BURST)
    ]
    headers = factory.headers("staff")
    # The parent touches the database at start (the default-admin check) before forking its pool.
    env = {
        **queue_env,
        "SENDGRID_API_KEY": "SG.test",
        "SENDGRID_HOST": sendgrid.url,
        "DEFAULT_ADMIN_EMAIL": "root@example.com",
        "DEFAULT_ADMIN_PASSWORD": "root-password-1",
    }
    processes.prefork_worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"])
    client = web_app.test_client()
    for item in items:
        response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=headers)
        assert response.status_code == 200, response.text

    ids = [item.id for item in items]
    try:
        wait_for(lambda: _sent_alerts(app, ids) == BURST, timeout=90, what="every alert of the burst sent")
    finally:
        accepted, duplicates = _figures(sendgrid)
        print(
            f"\nforked pool (concurrency {procfile_concurrency()}): alerts raised {BURST}, "
            f"alerts sent {_sent_alerts(app, ids)}, emails accepted {sum(accepted.values())}, duplicates {duplicates}"
        )
    assert set(accepted) == {
        ("boss@example.com", f"Low stock: Burst item {n} (BURST-{n}) - 4 left") for n in range(BURST)
    }
    assert duplicates == 0
    assert len(sendgrid.requests) == BURST


def test_task_redelivered_during_a_slow_send_does_not_email_the_in_flight_recipient_twice(
    app, web_app, factory, sendgrid, processes, queue_env
):
    # boss1 is accepted at once; boss2's call hangs past the broker's visibility timeout (3 s
    # here), so Redis hands the task to the second worker while the first is still sending.
    sendgrid.script = [202, "slow"]
    env = {**queue_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url}
    queue = queue_env["CELERY_TASK_DEFAULT_QUEUE"]
    processes.worker(env, queue, "first")
    managers = [factory.user("manager", email=f"boss{n}@example.com") for n in (1, 2)]
    item = factory.item(quantity=10, low_stock_threshold=5, name="Slow widget", sku="SW-1", actor=managers[0])
    response = web_app.test_client().post(
        f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=factory.headers("staff")
    )
    assert response.status_code == 200, response.text
    wait_for(sendgrid.held.is_set, what="boss2's send to be in flight")
    second = processes.worker(env, queue, "second")

    def redelivered() -> bool:
        log = Path(second.log_path).read_text()
        return len(sendgrid.requests) > 2 or "in flight" in log

    try:
        wait_for(redelivered, timeout=30, what="the second worker to get the task")
    finally:
        sendgrid.release.set()
    wait_for(lambda: (a := alert_for(app, item.id)) and a.sent_at, what="alert sent")
    # Let the second worker's copy finish too: it must skip boss2, now recorded as sent.
    wait_for(lambda: "succeeded" in Path(second.log_path).read_text(), timeout=30, what="the second copy done")
    accepted, duplicates = _figures(sendgrid)
    print(
        f"\nslow provider, task redelivered mid-send: alerts raised 1, emails accepted {sum(accepted.values())}, "
        f"requests {len(sendgrid.requests)}, duplicates {duplicates}"
    )
    assert sendgrid.accepted_to() == ["boss1@example.com", "boss2@example.com"]
    assert duplicates == 0 and len(sendgrid.requests) == 2
    assert [(r.recipient, r.state) for r in outbox_rows(app, "alert:")] == [
        ("boss1@example.com", "sent"),
        ("boss2@example.com", "sent"),
    ]


NEVER = "0 0 1 1 *"  # 1 January, midnight: does not fire during a test


@pytest.fixture()
def outage_env(queue_env, own_redis) -> dict[str, str]:
    """This test's processes and web app use a Redis of its own, which it kills and restarts."""
    queue_env.update(
        REDIS_URL=own_redis.url,
        EMAIL_SWEEP_SCHEDULE="1",
        EMAIL_SWEEP_GRACE_SECONDS="1",
        BACKUP_SCHEDULE=NEVER,
        LOW_STOCK_DIGEST_SCHEDULE=NEVER,
        VALUATION_REPORT_SCHEDULE=NEVER,
    )
    return queue_env


def test_alert_raised_while_redis_is_down_is_emailed_once_after_it_returns(
    app, outage_env, own_redis, web_app, factory, sendgrid, processes, tmp_path
):
    env = {**outage_env, "SENDGRID_API_KEY": "SG.test", "SENDGRID_HOST": sendgrid.url}
    processes.worker(env, outage_env["CELERY_TASK_DEFAULT_QUEUE"])
    beat = processes.start(["beat", "-s", str(tmp_path / "beat-schedule"), "--loglevel=INFO"], env, "beat")
    managers = [factory.user("manager", email=f"boss{n}@example.com") for n in (1, 2)]
    item = factory.item(quantity=10, low_stock_threshold=5, name="Outage widget", sku="OW-1", actor=managers[0])
    headers = factory.headers("staff")
    client = web_app.test_client()

    own_redis.kill()
    started = time.perf_counter()
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=headers)
    print(f"\nwithdraw while Redis is down answered {response.status_code} in {time.perf_counter() - started:.2f} s")
    assert response.status_code == 200, response.text  # the movement is kept; only the enqueue failed
    health = client.get("/health")
    assert health.status_code == 503 and "redis" in health.get_json()["down"]
    assert alert_for(app, item.id).sent_at is None
    assert sendgrid.requests == []

    own_redis.start()  # empty: whatever was queued before is gone too
    alert = wait_for(lambda: (a := alert_for(app, item.id)) and a.sent_at and a, timeout=60, what="alert sent")
    sweeps = Path(beat.log_path).read_text().count("Sending due task email-sweep")
    # The sweep keeps running every second: the alert is not emailed again.
    wait_for(
        lambda: Path(beat.log_path).read_text().count("Sending due task email-sweep") >= sweeps + 3,
        what="three more sweeps",
    )
    accepted, duplicates = _figures(sendgrid)
    print(
        f"\nRedis killed while the alert was raised: alerts raised 1, emails accepted {sum(accepted.values())} "
        f"(2 managers), duplicates {duplicates}"
    )
    assert sendgrid.accepted_to() == ["boss1@example.com", "boss2@example.com"]
    assert duplicates == 0 and len(sendgrid.requests) == 2
    assert alert.send_error is None
