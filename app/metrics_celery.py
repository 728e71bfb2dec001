"""Celery figures for /metrics: task outcomes, workers online, beat's last tick.

Workers and beat are other processes (often other pods) than the web that is scraped, so
their signal handlers write to Redis and the web's collector reads it back:

    <prefix>celery:tasks     hash  "<task name>|<outcome>" -> count (HINCRBY)
    <prefix>celery:workers   zset  "<host>:<pid>" -> last heartbeat (epoch seconds)
    <prefix>beat:last_tick   str   epoch seconds of beat's last scheduler tick

Without REDIS_URL nothing is shared, and these families are exported without samples.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import weakref
from typing import Any

from celery import Celery, signals
from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

log = logging.getLogger(__name__)

# Celery heartbeats every 2 s; a worker silent for this long is counted as gone.
WORKER_STALE_SECONDS = 30
# Beat must tick at least this often for its liveness metric to mean something.
BEAT_MAX_LOOP_SECONDS = 60

_flask_apps: weakref.WeakKeyDictionary[Celery, Flask] = weakref.WeakKeyDictionary()
_clients: dict[tuple[str, int], Any] = {}


def register_celery_metrics(celery_app: Celery, flask_app: Flask) -> None:
    """Record task outcomes, worker heartbeats and beat ticks of `celery_app`."""
    _flask_apps[celery_app] = flask_app
    if not celery_app.conf.beat_max_loop_interval:
        celery_app.conf.beat_max_loop_interval = BEAT_MAX_LOOP_SECONDS
    _connect_once()


def celery_families(config) -> list:
    tasks = CounterMetricFamily(
        "inventory_celery_tasks",
        "Celery task runs by task and outcome (success, failure, retry).",
        labels=["task", "outcome"],
    )
    workers = GaugeMetricFamily("inventory_celery_workers_online", "Celery workers that sent a heartbeat recently.")
    beat = GaugeMetricFamily("inventory_beat_last_tick_timestamp_seconds", "When Celery beat last ran its scheduler.")
    client = _redis(config) if config is not None else None
    if client is not None:
        prefix = config["METRICS_REDIS_PREFIX"]
        try:
            pipe = client.pipeline(transaction=False)
            pipe.hgetall(prefix + "celery:tasks")
            pipe.zcount(prefix + "celery:workers", time.time() - WORKER_STALE_SECONDS, "+inf")
            pipe.get(prefix + "beat:last_tick")
            counts, online, last_tick = pipe.execute()
        except Exception:  # Redis down: report nothing rather than fail the scrape
            log.warning("could not read Celery metrics from Redis", exc_info=True)
        else:
            for field, count in sorted(counts.items()):
                task, _, outcome = field.decode().rpartition("|")
                tasks.add_metric([task, outcome], int(count))
            workers.add_metric([], int(online))
            if last_tick is not None:
                beat.add_metric([], float(last_tick))
    return [tasks, workers, beat]


def _redis(config) -> Any:
    url = config.get("REDIS_URL")
    if not url:
        return None
    key = (url, os.getpid())  # a client per process: connections must not cross a fork
    if key not in _clients:
        import redis

        _clients[key] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[key]


def _write(celery_app: Celery | None, action) -> None:
    app = _flask_apps.get(celery_app) if celery_app is not None else None
    if app is None:
        return
    client = _redis(app.config)
    if client is None:
        return
    try:
        action(client, app.config["METRICS_REDIS_PREFIX"])
    except Exception:  # metrics must never fail a task or stop a worker
        log.warning("could not record a Celery metric in Redis", exc_info=True)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_task(task, outcome: str) -> None:
    name = getattr(task, "name", None) or "unknown"
    _write(getattr(task, "app", None), lambda r, p: r.hincrby(p + "celery:tasks", f"{name}|{outcome}", 1))


def record_heartbeat(celery_app: Celery | None) -> None:
    def beat(r, p):
        now = time.time()
        pipe = r.pipeline(transaction=False)
        pipe.zadd(p + "celery:workers", {_worker_id(): now})
        pipe.zremrangebyscore(p + "celery:workers", "-inf", now - 86400)  # forget long-gone workers
        pipe.execute()

    _write(celery_app, beat)


def record_worker_gone(celery_app: Celery | None) -> None:
    _write(celery_app, lambda r, p: r.zrem(p + "celery:workers", _worker_id()))


def record_beat_tick(celery_app: Celery | None) -> None:
    _write(celery_app, lambda r, p: r.set(p + "beat:last_tick", repr(time.time())))


def _app_of(sender) -> Celery | None:
    """The Celery app behind a signal's sender (a Consumer, a Heart, a beat Service...)."""
    for candidate in (sender, getattr(sender, "eventer", None), getattr(sender, "consumer", None)):
        app = getattr(candidate, "app", None)
        if isinstance(app, Celery):
            return app
    from celery import current_app

    return current_app._get_current_object()


def _on_success(sender=None, **_kwargs) -> None:
    record_task(sender, "success")


def _on_failure(sender=None, **_kwargs) -> None:
    record_task(sender, "failure")


def _on_retry(sender=None, **_kwargs) -> None:
    record_task(sender, "retry")


def _on_heartbeat(sender=None, **_kwargs) -> None:
    record_heartbeat(_app_of(sender))


def _on_worker_shutdown(sender=None, **_kwargs) -> None:
    record_worker_gone(_app_of(sender))


def _on_beat_init(sender=None, **_kwargs) -> None:
    """Wrap the scheduler's tick: beat sends no signal per tick, and a tick is what proves it alive."""
    app = _app_of(sender)
    scheduler = sender.scheduler
    tick = scheduler.tick

    def tick_and_record(*args, **kwargs):
        interval = tick(*args, **kwargs)
        record_beat_tick(app)
        return interval

    scheduler.tick = tick_and_record
    record_beat_tick(app)


_connected = False


def _connect_once() -> None:
    global _connected
    if _connected:
        return
    signals.task_success.connect(_on_success, weak=False)
    signals.task_failure.connect(_on_failure, weak=False)
    signals.task_retry.connect(_on_retry, weak=False)
    signals.worker_ready.connect(_on_heartbeat, weak=False)
    signals.heartbeat_sent.connect(_on_heartbeat, weak=False)
    signals.worker_shutdown.connect(_on_worker_shutdown, weak=False)
    signals.beat_init.connect(_on_beat_init, weak=False)
    _connected = True
