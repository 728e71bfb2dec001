"""Background jobs wiring: the Celery set-up, which events enqueue which task, the beat schedule.

The web process never imports tasks/: it enqueues by task name on its own Celery
instance (app.extensions["celery"]), so a second app in the same process (tests) or
a process without a worker enqueues to the right broker.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init
from flask import Flask, current_app

from app import events
from app.extensions import dispose_inherited_connections

log = logging.getLogger(__name__)

# The task-name table: every task in tasks/ registers under one of these names
# (`@shared_task(name=jobs.X)`) and the web process enqueues by them (tests/test_wiring.py checks both ways).
SEND_LOW_STOCK_ALERT = "tasks.email.send_low_stock_alert"
SEND_REQUEST_DECIDED = "tasks.email.send_request_decided"
RUN_BACKUP = "tasks.backups.run_backup"
SEND_LOW_STOCK_DIGEST = "tasks.reports.send_low_stock_digest"
SEND_VALUATION_REPORT = "tasks.reports.send_valuation_report"
SEND_BACKUP_FAILURE = "tasks.email.send_backup_failure"
SWEEP_PENDING_EMAILS = "tasks.email.sweep_pending_emails"
GENERATE_VALUATION_REPORT = "tasks.reports.generate_valuation_report"
SEND_PURCHASE_ORDER = "tasks.email.send_purchase_order"
OPEN_DUE_COUNTS = "tasks.counts.open_due_counts"
SWEEP_STALLED_IMPORTS = "tasks.imports.sweep_stalled_imports"
VALIDATE_IMPORT = "tasks.imports.validate_import"
RUN_IMPORT = "tasks.imports.run_import"
RECOUNT_LOCATIONS = "tasks.locations.recount_locations"


def enqueue(task_name: str, *args: Any) -> None:
    """Send a task by name through this app's broker.

    No result is kept: sending by name would otherwise subscribe to the result backend,
    which retries for ~20 s when Redis is down, holding the request that enqueued.
    """
    current_app.extensions["celery"].send_task(task_name, args=list(args), ignore_result=True)


def start(task_name: str, *args: Any) -> bool:
    """Enqueue a job a person asked for ("Back up now"); False (logged) when the queue is unreachable."""
    try:
        enqueue(task_name, *args)
    except Exception:  # the broker is down: the page says so instead of failing
        log.exception("could not enqueue %s", task_name)
        return False
    return True


def on_event(name: str, payload: dict[str, Any]) -> None:
    """After-commit subscriber: turn domain events into tasks."""
    if name == "low_stock_alert":
        enqueue(SEND_LOW_STOCK_ALERT, payload["alert_id"])
    elif name == "request_decided":
        fields = ("request_id", "author_email", "state", "reason")
        enqueue(SEND_REQUEST_DECIDED, {key: payload.get(key) for key in fields})
    elif name == "purchase_order_updated" and payload.get("action") == "sent":
        enqueue(SEND_PURCHASE_ORDER, payload["purchase_order_id"])
    elif name == "location_figures_stale":
        enqueue(RECOUNT_LOCATIONS)


def schedule(spec: str) -> crontab | timedelta:
    """A crontab line ("0 2 * * *"), or a number of seconds ("5")."""
    spec = spec.strip()
    try:
        return timedelta(seconds=float(spec))
    except ValueError:
        pass
    parts = spec.split()
    if len(parts) != 5:
        raise RuntimeError(f"Schedule {spec!r} is neither a crontab line (5 fields) nor a number of seconds")
    minute, hour, day_of_month, month_of_year, day_of_week = parts
    return crontab(minute, hour, day_of_week, day_of_month, month_of_year)


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict]:
    """Beat only enqueues these; workers do the work."""
    return {
        "nightly-backup": {"task": RUN_BACKUP, "schedule": schedule(config["BACKUP_SCHEDULE"])},
        "low-stock-digest": {"task": SEND_LOW_STOCK_DIGEST, "schedule": schedule(config["LOW_STOCK_DIGEST_SCHEDULE"])},
        "weekly-valuation": {"task": SEND_VALUATION_REPORT, "schedule": schedule(config["VALUATION_REPORT_SCHEDULE"])},
        # Emails whose enqueue was lost (app/services/pending_email.py).
        "email-sweep": {"task": SWEEP_PENDING_EMAILS, "schedule": schedule(config["EMAIL_SWEEP_SCHEDULE"])},
        # Cycle counting: open the counts that fell due (app/services/counts/schedule.py).
        "cycle-counts": {"task": OPEN_DUE_COUNTS, "schedule": schedule(config["CYCLE_COUNT_SCHEDULE"])},
        # Imports whose worker died mid-run (app/services/imports/stalled.py).
        "import-sweep": {"task": SWEEP_STALLED_IMPORTS, "schedule": schedule(config["IMPORT_SWEEP_SCHEDULE"])},
        # Location figures a move left to count again, if its job was lost (app/services/location_recount.py).
        "location-recount": {"task": RECOUNT_LOCATIONS, "schedule": schedule(config["LOCATION_RECOUNT_SCHEDULE"])},
    }


def celery_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Queue name, redelivery timing and the schedule, from the settings."""
    transport: dict[str, Any] = {}
    if config.get("REDIS_URL"):
        visibility = config["CELERY_VISIBILITY_TIMEOUT"]
        transport = {
            # A task whose worker died is handed out again after this many seconds.
            "visibility_timeout": visibility,
            "unacked_restore_interval": max(1, min(10, visibility // 2)),
            "unacked_restore_throttle": 1,
        }
        if config.get("CELERY_REDIS_KEY_PREFIX"):
            transport["global_keyprefix"] = config["CELERY_REDIS_KEY_PREFIX"]
    return {
        "task_default_queue": config["CELERY_TASK_DEFAULT_QUEUE"],
        "broker_transport_options": transport,
        "beat_schedule": beat_schedule(config),
    }


def broker_settings(app: Flask) -> dict:
    """Redis when REDIS_URL is set; otherwise a SQLite file, so no server is needed."""
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        return {"broker_url": redis_url, "result_backend": redis_url}
    folder = Path(app.config.get("CELERY_BROKER_DIR") or app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": f"sqla+sqlite:///{folder / 'celery-broker.sqlite'}",
        "result_backend": f"db+sqlite:///{folder / 'celery-results.sqlite'}",
    }


def celery_init_app(app: Flask) -> Celery:
    """This app's Celery instance (app.extensions["celery"]); its tasks run inside the app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(
        {
            **broker_settings(app),
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "task_ignore_result": True,
            "timezone": "UTC",
            "imports": ("tasks",),
            **celery_options(app.config),  # queue, redelivery timeout, beat schedule
            **app.config.get("CELERY", {}),
        }
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    def on_worker_process_init(**_kwargs: object) -> None:
        # Each prefork pool process starts with the parent's engine pool: never use it.
        dispose_inherited_connections(app)

    worker_process_init.connect(on_worker_process_init, weak=False)
    return celery_app


def init_app(app: Flask) -> None:
    """Build the app's Celery instance and subscribe the task enqueuer to domain events."""
    celery_init_app(app)
    events.subscribe(app, on_event)
