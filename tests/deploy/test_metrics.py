"""/metrics in one process: inventory gauges, movement counters, access, cost of a scrape."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import InsufficientStock
from app.extensions import db
from app.metrics import parse_networks
from app.services import stock
from app.services.uow import unit_of_work
from tests.deploy.conftest import CONTRACT_METRICS
from tests.deploy.promtext import LOOPBACK, parse, scrape, total, value
from tests.helpers.factories import as_actor


@pytest.fixture()
def fresh(app, monkeypatch):
    """No scrape cache, so each scrape reads the database."""
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)
    return app


def test_metrics_export_every_contract_family(fresh, client):
    client.get("/health")
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    declared = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
    samples = {name for family in parse(text).values() for name in (s.name for s in family.samples)}
    assert {"inventory_celery_tasks_total", "inventory_backup_last_success_timestamp_seconds"} <= declared
    missing = {name for name in CONTRACT_METRICS if name not in samples and name not in declared}
    assert not missing


def test_inventory_gauges_reflect_items_by_category(fresh, client, factory):
    tools, paint = factory.category("Tools"), factory.category("Paint")
    factory.category("Empty")
    factory.item(quantity=10, category_id=tools.id, price=Decimal("2.50"), low_stock_threshold=5)
    factory.item(quantity=0, category_id=tools.id, price=Decimal("9.00"), low_stock_threshold=3)  # low and critical
    factory.item(quantity=4, category_id=paint.id, price=Decimal("1.25"), low_stock_threshold=10)  # low
    factory.item(quantity=0, category_id=paint.id, low_stock_threshold=0)  # empty, no threshold: neither
    factory.item(quantity=7)  # no category
    gone = factory.item(quantity=100, category_id=tools.id)
    manager = factory.user("manager")
    with factory.app.app_context():
        from app.services import items

        items.delete_item(gone.id, actor=as_actor(manager))

    metrics = scrape(client)
    assert value(metrics, "inventory_active_items") == 5
    assert value(metrics, "inventory_units", category="Tools") == 10
    assert value(metrics, "inventory_units", category="Paint") == 4
    assert value(metrics, "inventory_units", category="uncategorized") == 7
    assert value(metrics, "inventory_units", category="Empty") == 0
    assert value(metrics, "inventory_value", category="Tools") == pytest.approx(25.0)
    assert value(metrics, "inventory_value", category="Paint") == pytest.approx(5.0)
    assert value(metrics, "inventory_low_stock_items") == 2
    assert value(metrics, "inventory_critical_stock_items") == 1
    assert value(metrics, "inventory_unacknowledged_alerts") == 2  # the two created below threshold


def test_movements_counted_by_action_and_alerts_reported(fresh, client, factory, ctx):
    item = factory.item(quantity=12, low_stock_threshold=10)
    user = factory.actor("staff")
    before = scrape(client)
    stock.restock(item.id, 3, actor=user)
    stock.withdraw(item.id, 2, actor=user)
    stock.withdraw(item.id, 5, actor=user)  # 8 < 10: raises an alert
    with pytest.raises(InsufficientStock):
        stock.withdraw(item.id, 500, actor=user)  # refused: not a movement
    after = scrape(client)

    def moved(metrics, action):
        return value(metrics, "inventory_stock_movements_total", action=action)

    assert moved(after, "restock") - moved(before, "restock") == 1
    assert moved(after, "withdraw") - moved(before, "withdraw") == 2
    assert moved(after, "transfer") - moved(before, "transfer") == 0
    assert value(after, "inventory_unacknowledged_alerts") == 1
    assert value(after, "inventory_low_stock_items") == 1


def test_rolled_back_movement_is_not_counted(fresh, client, factory, ctx):
    item = factory.item(quantity=5)
    user = factory.actor("staff")
    before = value(scrape(client), "inventory_stock_movements_total", action="withdraw")
    with pytest.raises(RuntimeError), unit_of_work():
        stock.apply_lines([(item.id, item.location_id, None, 2)], "withdraw", actor=user)
        raise RuntimeError("the caller gives up after the movement was written")
    metrics = scrape(client)
    assert value(metrics, "inventory_stock_movements_total", action="withdraw") == before
    assert value(metrics, "inventory_units", category="uncategorized") == 5


def test_request_metrics_by_endpoint_method_and_status(fresh, client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/health").status_code == 200
    assert client.get("/api/v1/items").status_code == 401
    after = scrape(client)

    def diff(name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)

    assert diff("flask_http_request_total", method="GET", status="200") == 3
    assert diff("flask_http_request_total", method="GET", status="401") == 1
    assert diff("flask_http_request_duration_seconds_count", endpoint="health.health", status="200") == 3
    assert diff("flask_http_request_duration_seconds_bucket", endpoint="health.health", le="+Inf") == 3
    # Scrapes themselves are not traffic.
    assert value(after, "flask_http_request_duration_seconds_count", endpoint="metrics.metrics") is None


def test_metrics_refused_from_address_outside_allowed_networks(fresh, client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 403
    assert b"inventory_" not in response.data
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_allowed_networks_setting_admits_a_listed_subnet(fresh, client, monkeypatch):
    monkeypatch.setitem(fresh.extensions["metrics"], "networks", parse_networks("10.0.0.0/8, fd00::/8"))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:10.9.9.9"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.1.1"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403


def test_bad_allowed_networks_setting_refuses_to_start():
    with pytest.raises(RuntimeError, match="METRICS_ALLOWED_NETWORKS"):
        parse_networks("10.0.0.0/8,not-a-network")


def test_scrape_issues_a_bounded_number_of_queries_and_cache_spares_the_database(app, client, factory, monkeypatch):
    categories = [factory.category() for _ in range(4)]
    for n in range(20):
        factory.item(quantity=n, category_id=categories[n % 4].id, low_stock_threshold=5)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)
        scrape(client)
        cold = len(statements)
        monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 60)
        scrape(client)  # fills the cache
        statements.clear()
        metrics = scrape(client)
        cached = len(statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
        app.extensions["metrics"]["collector"].invalidate()
    print(f"\nqueries per uncached scrape: {cold}; per cached scrape: {cached}")
    assert 1 <= cold <= 5
    assert cached == 0
    assert value(metrics, "inventory_active_items") == 20


def test_socketio_clients_counts_live_connections(fresh, client, factory):
    from app.extensions import socketio

    user = factory.user("staff")
    sio = socketio.test_client(fresh, auth={"token": factory.token(user)})
    try:
        assert sio.is_connected()
        assert value(scrape(client), "inventory_socketio_clients") == 1
    finally:
        sio.disconnect()
    assert value(scrape(client), "inventory_socketio_clients") == 0


@pytest.fixture()
def redis_metrics(app, monkeypatch):
    """Celery metrics through the shared Redis, under a key prefix no other run uses."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    prefix = f"test:{os.getpid()}:{uuid.uuid4().hex[:8]}:metrics:"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "METRICS_REDIS_PREFIX", prefix)
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)
    yield app.extensions["celery"]
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def test_celery_outcomes_workers_and_beat_reach_the_web_through_redis(redis_metrics, client, tmp_path):
    import time

    from celery import beat, signals

    celery_app = redis_metrics
    suffix = uuid.uuid4().hex[:6]

    @celery_app.task(name=f"test.ok_{suffix}")
    def ok():
        return 1

    @celery_app.task(name=f"test.boom_{suffix}")
    def boom():
        raise ValueError("boom")

    @celery_app.task(bind=True, name=f"test.flaky_{suffix}", max_retries=1, default_retry_delay=0)
    def flaky(self):
        if self.request.retries == 0:
            raise self.retry(countdown=0)
        return "second time lucky"

    ok.apply()
    ok.apply()
    boom.apply()
    flaky.apply()
    consumer = type("Consumer", (), {"app": celery_app})()  # what worker_ready/heartbeat senders carry
    signals.worker_ready.send(sender=consumer)
    service = beat.Service(app=celery_app, schedule_filename=str(tmp_path / "beat-schedule"))
    signals.beat_init.send(sender=service)  # as `celery beat` does before its loop
    service.scheduler.tick()
    now = time.time()

    metrics = scrape(client)
    assert value(metrics, "inventory_celery_tasks_total", task=f"test.ok_{suffix}", outcome="success") == 2
    assert value(metrics, "inventory_celery_tasks_total", task=f"test.boom_{suffix}", outcome="failure") == 1
    assert value(metrics, "inventory_celery_tasks_total", task=f"test.flaky_{suffix}", outcome="retry") == 1
    assert value(metrics, "inventory_celery_tasks_total", task=f"test.flaky_{suffix}", outcome="success") == 1
    assert value(metrics, "inventory_celery_workers_online") == 1
    assert now - 60 < value(metrics, "inventory_beat_last_tick_timestamp_seconds") <= now + 1
    service.scheduler.close()

    signals.worker_shutdown.send(sender=consumer)
    assert value(scrape(client), "inventory_celery_workers_online") == 0


def test_celery_families_have_no_samples_without_redis(fresh, client):
    metrics = scrape(client)
    assert "inventory_celery_workers_online" in metrics
    assert value(metrics, "inventory_celery_workers_online") is None
    assert value(metrics, "inventory_beat_last_tick_timestamp_seconds") is None


def test_backup_metric_is_the_newest_successful_backup(fresh, client, ctx):
    from datetime import UTC, datetime

    from app.models.backup import Backup

    good = datetime(2026, 10, 30, 2, 0, 5, tzinfo=UTC)
    assert value(scrape(client), "inventory_backup_last_success_timestamp_seconds") is None  # none yet
    db.session.add_all(
        [
            Backup(file="a.dump", location="/b/a.dump", outcome="success", started_at=good, finished_at=good),
            Backup(
                file="b.dump", location="/b/b.dump", outcome="failure", started_at=good, finished_at=datetime.now(UTC)
            ),
        ]
    )
    db.session.commit()
    assert value(scrape(client), "inventory_backup_last_success_timestamp_seconds") == good.timestamp()
