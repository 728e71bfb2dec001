"""Prometheus metrics at /metrics (see docs/observability.md).

Request counts and latencies come from prometheus-flask-exporter. Inventory gauges are
computed when scraped, by InventoryCollector, with a few aggregate queries cached for
METRICS_CACHE_SECONDS. Stock movements are counted after commit by an events subscriber.
Celery figures come from app.metrics_celery, which workers and beat write to Redis.

With several gunicorn workers (PROMETHEUS_MULTIPROC_DIR set), counters and histograms live
in files in that directory and every worker's scrape answers the sum over all of them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
from datetime import UTC

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from app import events
from app.metrics_celery import celery_families, register_celery_metrics

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)

MOVEMENT_ACTIONS = ("restock", "withdraw", "transfer", "adjust")

# Module level: one per process, so multiprocess files have one writer per pid. Shared
# by every app a process builds (tests build more than one).
STOCK_MOVEMENTS = Counter(
    "inventory_stock_movements", "Committed stock movements (ledger rows) by action.", ["action"], registry=None
)
SOCKETIO_CLIENTS = Gauge(
    "inventory_socketio_clients",
    "Socket.IO clients connected to this web process.",
    multiprocess_mode="livesum",
    registry=None,
)
for _action in MOVEMENT_ACTIONS:
    STOCK_MOVEMENTS.labels(_action)  # a 0 sample from the start, so rate() has a baseline


def register_metrics(app: Flask) -> None:
    """Request metrics, inventory gauges and the access-controlled /metrics endpoint."""
    networks = parse_networks(app.config["METRICS_ALLOWED_NETWORKS"])
    multiproc_dir = app.config.get("PROMETHEUS_MULTIPROC_DIR")
    collector = InventoryCollector(app)
    if multiproc_dir:
        from prometheus_client.multiprocess import MultiProcessCollector
        from prometheus_flask_exporter.multiprocess import GunicornPrometheusMetrics

        os.makedirs(multiproc_dir, exist_ok=True)
        exporter = GunicornPrometheusMetrics(app, group_by="endpoint")
        # Scrapes read the files of every worker, never this process's live objects.
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=multiproc_dir)
    else:
        from prometheus_flask_exporter import PrometheusMetrics

        registry = CollectorRegistry()
        exporter = PrometheusMetrics(app, path=None, group_by="endpoint", registry=registry)
        registry.register(STOCK_MOVEMENTS)
        registry.register(SOCKETIO_CLIENTS)
    registry.register(collector)
    app.extensions["metrics"] = {
        "registry": registry,
        "exporter": exporter,
        "networks": networks,
        "collector": collector,
    }
    events.subscribe(app, count_movement)
    register_celery_metrics(app.extensions["celery"], app)


def parse_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise RuntimeError(f"METRICS_ALLOWED_NETWORKS must be comma-separated CIDRs: {exc}") from exc


def address_allowed(address: str | None, networks) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates = [ip]
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:10.0.0.1 from a dual-stack socket
        candidates.append(ip.ipv4_mapped)
    return any(candidate in network for candidate in candidates for network in networks)


@bp.get("/metrics")
def metrics():
    """The Prometheus exposition, for addresses in METRICS_ALLOWED_NETWORKS only."""
    state = current_app.extensions["metrics"]
    request.prom_do_not_track = True  # scrapes are not traffic
    if not address_allowed(request.remote_addr, state["networks"]):
        abort(403)
    SOCKETIO_CLIENTS.set(socketio_clients())
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return encoder(state["registry"]), 200, {"Content-Type": content_type, "Cache-Control": "no-store"}


def count_movement(name: str, payload: dict) -> None:
    """Events subscriber: runs only after the movement's transaction committed."""
    if name == "stock_changed":
        STOCK_MOVEMENTS.labels(str(payload.get("action", "unknown"))).inc()


def socketio_clients() -> int:
    try:
        from app.realtime import connected_clients
    except ImportError:
        return 0
    try:
        return int(connected_clients())
    except Exception:  # live updates down must not break scrapes
        log.warning("could not count Socket.IO clients", exc_info=True)
        return 0


class InventoryCollector:
    """Inventory gauges from aggregate queries, cached for METRICS_CACHE_SECONDS per process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._expires = 0.0
        self._families: list = []

    def describe(self):
        # Names only: stops the registry calling collect() (and the database) at start-up.
        return _empty_families()

    def collect(self):
        ttl = self.app.config.get("METRICS_CACHE_SECONDS", 10)
        with self._lock:
            now = time.monotonic()
            if ttl <= 0 or now >= self._expires:
                self._families = self._compute()
                self._expires = now + ttl
            return list(self._families)

    def _compute(self) -> list:
        with self.app.app_context():
            try:
                inventory = inventory_families()
            except Exception:  # database down: still serve request and Celery metrics
                log.warning("inventory metrics unavailable", exc_info=True)
                inventory = _empty_families()[:7]
            return inventory + celery_families(self.app.config)

    def invalidate(self) -> None:
        with self._lock:
            self._expires = 0.0


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


def _empty_families() -> list:
    return [
        _gauge("inventory_active_items", "Items not deleted."),
        _gauge("inventory_units", "Units in stock per category.", ["category"]),
        _gauge("inventory_value", "Stock value (quantity x price) per category.", ["category"]),
        _gauge("inventory_low_stock_items", "Active items below their low-stock threshold."),
        _gauge("inventory_critical_stock_items", "Active items at quantity 0 with a threshold above 0."),
        _gauge("inventory_unacknowledged_alerts", "Low-stock alerts nobody acknowledged yet."),
        _gauge("inventory_backup_last_success_timestamp_seconds", "When the newest successful backup finished."),
    ] + celery_families(None)


def inventory_families() -> list:
    """Five small queries whatever the catalogue size (see _category_figures)."""
    from app.extensions import db
    from app.models import Alert, Category, Item

    (active, units, value, low, critical, unacked, backup) = _empty_families()[:7]
    with db.engine.connect() as conn:
        rows = _category_figures(conn)
        names = dict(conn.execute(sa.select(Category.id, Category.name)).all())
        # The first clause is implied by the others; it lets PostgreSQL use the low-stock partial index.
        n_critical = conn.execute(
            sa.select(sa.func.count())
            .select_from(Item)
            .where(Item.quantity < Item.low_stock_threshold, Item.is_deleted.is_(False), Item.quantity == 0)
        ).scalar_one()
        unacknowledged = conn.execute(
            sa.select(sa.func.count()).select_from(Alert).where(Alert.acknowledged_at.is_(None))
        ).scalar_one()
        finished = _last_successful_backup(conn)
    per_category = {name: [0, 0.0] for name in names.values()}
    n_active = n_low = 0
    for category_id, count, qty, val, n_below in rows:
        slot = per_category.setdefault(names.get(category_id, "uncategorized"), [0, 0.0])
        slot[0] += int(qty or 0)
        slot[1] += float(val or 0)
        n_active += int(count or 0)
        n_low += int(n_below or 0)
    active.add_metric([], n_active)
    low.add_metric([], n_low)
    critical.add_metric([], int(n_critical))
    for label, (qty, val) in sorted(per_category.items()):
        units.add_metric([label], qty)
        value.add_metric([label], val)
    unacked.add_metric([], int(unacknowledged))
    if finished is not None:
        backup.add_metric([], finished)
    return [active, units, value, low, critical, unacked, backup]


def _category_figures(conn) -> list:
    """(category id, active items, units, value, low-stock items) per category, from the maintained
    counters (app/services/counters.py: a few rows per category, whatever the catalogue's size)."""
    from app.services import counters

    return counters.category_figures(conn)


def _last_successful_backup(conn) -> float | None:
    try:
        from app.models.backup import Backup
    except ImportError:
        return None  # the backup feature is not installed
    try:
        finished = conn.execute(sa.select(sa.func.max(Backup.finished_at)).where(Backup.outcome == "success")).scalar()
    except sa.exc.DBAPIError:  # table not migrated yet
        conn.rollback()
        log.warning("backup table not readable; omitting the backup metric", exc_info=True)
        return None
    if finished is None:
        return None
    if finished.tzinfo is None:  # SQLite hands back naive UTC
        finished = finished.replace(tzinfo=UTC)
    return finished.timestamp()
