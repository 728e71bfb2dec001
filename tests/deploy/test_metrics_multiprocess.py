"""/metrics under real gunicorn with two workers: every scrape answers the sum of both."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

from tests.deploy.promtext import parse, value
from tests.helpers.http import call, free_port, serving

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def gunicorn_two_workers(app, database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("gunicorn workers share the database: PostgreSQL only")
    port = free_port()
    metrics_dir = tmp_path / "multiproc"
    access_log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL", "DEFAULT_ADMIN_EMAIL"}}
    env.update(
        APP_ENV="development",
        DATABASE_URL=database_url,
        SECRET_KEY=app.config["SECRET_KEY"],
        JWT_SECRET=app.config["JWT_SECRET_KEY"],
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_CACHE_SECONDS="0",
        WEB_THREADS="4",
    )
    command = [
        sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2", "-b", f"127.0.0.1:{port}",
        "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with serving(command, cwd=REPO, env=env, log=tmp_path / "gunicorn.log", ready_url=base + "/health"):
        yield base, access_log


def _pids_by_path(access_log: Path, path_pattern: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in access_log.read_text().splitlines():
        pid, method, path, status = line.split()
        if method == "POST" and re.fullmatch(path_pattern, path) and status == "200":
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def test_two_gunicorn_workers_report_summed_counts(gunicorn_two_workers, factory):
    base, access_log = gunicorn_two_workers
    item = factory.item(quantity=1)
    token = factory.token(factory.user("staff"))
    served = {}
    restocks = 0
    # Until both workers have served restocks (the kernel picks who accepts each connection).
    while len(served) < 2 and restocks < 300:
        for _ in range(10):
            status, body = call(f"{base}/api/v1/items/{item.id}/restock", {"quantity": 1}, token)
            assert status == 200, body[:300]
            restocks += 1
        time.sleep(0.3)  # let gunicorn flush the access log
        served = _pids_by_path(access_log, rf"/api/v1/items/{item.id}/restock")
    assert len(served) == 2, f"one worker served all {restocks} requests: {served}"
    assert sum(served.values()) == restocks

    scrapes = []
    for _ in range(6):  # whichever worker answers, it reports both workers' counts
        status, body = call(base + "/metrics")
        assert status == 200
        scrapes.append(parse(body.decode()))
    for metrics in scrapes:
        assert value(metrics, "inventory_stock_movements_total", action="restock") == restocks
        assert value(metrics, "flask_http_request_total", method="POST", status="200") == restocks
        assert value(metrics, "inventory_units", category="uncategorized") == 1 + restocks
        assert value(metrics, "inventory_active_items") == 1
    print(f"\nrequests per worker: {served}")
