"""Beat enqueues on schedule; with no REDIS_URL, a separate worker runs what the web process enqueued."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.helpers.tasks import alert_for, outbox_rows, wait_for

NEVER = "0 0 1 1 *"  # 1 January, midnight: does not fire during a test


def test_beat_short_schedule_fires_digest_once_per_day_per_manager(app, factory, processes, queue_env, tmp_path):
    boss = factory.user("manager", email="boss@example.com")
    factory.user("staff", email="clerk@example.com")
    factory.item(quantity=1, low_stock_threshold=5, name="Red widget", actor=boss)
    factory.item(quantity=9, low_stock_threshold=5, name="Plenty widget", actor=boss)
    env = {**queue_env, "LOW_STOCK_DIGEST_SCHEDULE": "1", "BACKUP_SCHEDULE": NEVER, "VALUATION_REPORT_SCHEDULE": NEVER}
    processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"])
    beat = processes.start(["beat", "-s", str(tmp_path / "beat-schedule"), "--loglevel=INFO"], env, "beat")

    rows = wait_for(lambda: outbox_rows(app, "digest:"), what="a digest in the outbox")
    # Beat keeps firing every second; the digest stays one per day and recipient.
    wait_for(
        lambda: Path(beat.log_path).read_text().count("Sending due task low-stock-digest") >= 3,
        what="beat firing again",
    )
    rows = outbox_rows(app, "digest:")
    assert [r.recipient for r in rows] == ["boss@example.com"]
    assert rows[0].transport == "outbox"
    assert rows[0].message_key == f"digest:{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    assert "Red widget" in rows[0].body and "Plenty widget" not in rows[0].body


def test_digest_skipped_when_nothing_is_low(app, factory, ctx):
    from app.services import reports

    boss = factory.user("manager")
    factory.item(quantity=9, low_stock_threshold=5, actor=boss)
    assert reports.send_low_stock_digest() == 0
    assert outbox_rows(app) == []


def test_embedded_default_without_redis_web_enqueues_and_separate_worker_sends(
    app, client, factory, processes, database_url
):
    assert not app.config.get("REDIS_URL")
    broker_dir = app.config["CELERY_BROKER_DIR"]
    app.extensions["celery"].control.purge()  # earlier tests of this run enqueued here too
    boss = factory.user("manager", email="boss@example.com")
    item = factory.item(quantity=10, low_stock_threshold=5, name="Green widget", actor=boss)
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=factory.headers("staff"))
    assert response.status_code == 200

    env = {"APP_ENV": "development", "DATABASE_URL": database_url, "CELERY_BROKER_DIR": broker_dir}
    processes.worker(env, "celery")

    alert = wait_for(lambda: (a := alert_for(app, item.id)) and a.sent_at and a, timeout=60, what="alert sent")
    rows = outbox_rows(app, "alert:")
    assert [(r.recipient, r.transport, r.message_key) for r in rows] == [
        ("boss@example.com", "outbox", f"alert:{alert.id}")
    ]
    assert "Green widget" in rows[0].body
