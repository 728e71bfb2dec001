"""The production image, built from the Dockerfile with podman and run as a deployment runs it:
the release step, web, worker and beat containers against the test PostgreSQL and Redis."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from urllib.parse import urlencode

import pytest
import requests

from tests.helpers.database import create_database, drop_database
from tests.helpers.tasks import wait_for
from tests.image.conftest import (
    PASSWORD,
    Browser,
    api_token,
    pg_url,
    query,
    record,
    row_counts,
    start_web,
)

MANAGER = "manager@example.com"
APP_UID = "10001"


@pytest.fixture(scope="module")
def released(stack):
    """The release step (migrations) as a one-off container, then a manager made by the CLI."""
    started = time.monotonic()
    result = stack.once("release", "flask", "--app", "wsgi", "db", "upgrade")
    record("release step (migrations, one-off container)", time.monotonic() - started)
    assert result.returncode == 0, result.stdout + result.stderr
    created = stack.once(
        "create-user",
        *("flask", "--app", "wsgi", "create-user", "--email", MANAGER, "--name", "Morgan Manager"),
        *("--role", "manager", "--password", PASSWORD),
    )
    assert created.returncode == 0, created.stdout + created.stderr
    return result


@pytest.fixture(scope="module")
def web(stack, released):
    return start_web(stack)


@pytest.fixture(scope="module")
def item(web) -> int:
    """An item with 10 in stock and a low-stock threshold of 5, made through the API."""
    _, url = web
    headers = api_token(url, MANAGER)
    location = requests.post(url + "/api/v1/locations", json={"name": "Main store"}, headers=headers, timeout=30)
    assert location.status_code == 201, location.text
    body = {
        "sku": "BW-1",
        "name": "Blue widget",
        "location_id": location.json()["id"],
        "quantity": 10,
        "low_stock_threshold": 5,
    }
    created = requests.post(url + "/api/v1/items", json=body, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def withdraw_form(page: str, quantity: int) -> dict[str, str]:
    """The item page's withdraw form, at the location its picker has chosen (the item's home)."""
    chosen = re.search(r'<input type="hidden" name="withdraw-location_id" value="(\d+)">', page)
    assert chosen, "the item page has no withdraw form with a chosen location"
    return {"withdraw-quantity": str(quantity), "withdraw-location_id": chosen.group(1)}


@pytest.fixture(scope="module")
def withdrawal(web, item):
    """The manager logs in on the page and withdraws 6 of 10 (threshold 5)."""
    _, url = web
    browser = Browser(url)
    login = browser.login(MANAGER)
    page = browser.get(f"/items/{item}")
    posted = browser.post(f"/items/{item}/withdraw", withdraw_form(page.text, 6))
    after = browser.get(posted.headers.get("Location", f"/items/{item}").removeprefix(url))
    return {"browser": browser, "login": login, "page": page, "posted": posted, "after": after}


@pytest.fixture(scope="module")
def workers(stack, released, sendgrid_fake):
    """A worker and a beat container; beat enqueues a backup every 5 seconds."""
    env = {"SENDGRID_API_KEY": "SG.image-test", "SENDGRID_HOST": sendgrid_fake.url, "BACKUP_SCHEDULE": "5"}
    started = time.monotonic()
    worker = stack.start(
        "worker", *("celery", "-A", "celery_worker.celery", "worker", "--loglevel=info", "--concurrency=1"), env=env
    )
    beat = stack.start(
        "beat",
        *("celery", "-A", "celery_worker.celery", "beat", "--loglevel=info", "--schedule=/tmp/celerybeat-schedule"),
        env=env,
    )
    try:
        wait_for(lambda: " ready." in stack.logs(worker), timeout=60, what="the worker to be ready")
        record("worker container start (to 'ready')", time.monotonic() - started)
        wait_for(lambda: "beat: Starting" in stack.logs(beat), timeout=60, what="beat to start")
    except AssertionError:
        raise AssertionError(stack.logs(worker) + stack.logs(beat)) from None
    return worker, beat


@pytest.fixture(scope="module")
def delivered(workers, withdrawal, sendgrid_fake):
    wait_for(lambda: MANAGER in sendgrid_fake.accepted_to(), timeout=60, what="the low-stock email")
    return sendgrid_fake.accepted[0]


def test_release_step_migrates_the_fresh_database(stack, released):
    assert "Running upgrade" in released.stdout + released.stderr
    assert query(stack.database, "SELECT count(*) FROM alembic_version") == [(1,)]
    assert query(stack.database, "SELECT email, role FROM users") == [(MANAGER, "manager")]


def test_web_container_answers_health_login_and_a_withdrawal_below_threshold(web, item, withdrawal):
    _, url = web
    health = requests.get(url + "/health", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert withdrawal["login"].status_code == 302  # to the dashboard
    assert withdrawal["page"].status_code == 200 and "Blue widget" in withdrawal["page"].text
    assert withdrawal["posted"].status_code == 302, withdrawal["posted"].text[:2000]
    assert "Withdrew 6 pcs." in withdrawal["after"].text  # the unit word, as toasts say it
    level = requests.get(f"{url}/api/v1/items/{item}", headers=api_token(url, MANAGER), timeout=30).json()
    assert (level["quantity"], level["is_low_stock"]) == (4, True)


def test_low_stock_email_is_sent_by_the_worker_container(stack, delivered):
    text = delivered["content"][0]["value"]
    assert delivered["personalizations"][0]["to"][0]["email"] == MANAGER
    assert "Blue widget" in text and "BW-1" in text and "http://inventory.test/items/" in text
    assert query(stack.database, "SELECT recipient, transport FROM outbox_emails") == [(MANAGER, "sendgrid")]


def test_backup_taken_by_the_worker_container_restores_into_a_fresh_database(stack, delivered):
    # The data stopped changing once the email went out. A backup's row is written after its
    # dump, and the one worker runs them one at a time: the second new row is a dump that
    # began after this point.
    before = query(stack.database, "SELECT coalesce(max(id), 0) FROM backups")[0][0]
    rows = wait_for(
        lambda: query(
            stack.database,
            "SELECT file, location FROM backups WHERE outcome = 'success' AND id > %s ORDER BY id OFFSET 1",
            before,
        ),
        timeout=60,
        what="a backup run by the worker container",
    )
    file, location = rows[0]
    assert location == f"/var/backups/inventory/{file}" and (stack.backups / file).stat().st_size > 0
    expected = row_counts(stack.database)
    fresh = create_database((stack.tag + "-restore").replace("-", "_"))
    try:
        restored = stack.once(
            "restore", "flask", "--app", "wsgi", "backup", "restore", file, env={"DATABASE_URL": pg_url(fresh)}
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        counts = row_counts(fresh)
    finally:
        drop_database(fresh)
    # Beat keeps taking backups, and a backup's own row is written after its dump.
    expected.pop("backups"), counts.pop("backups")
    assert counts == expected
    assert counts["items"] == 1 and counts["users"] == 1 and counts["outbox_emails"] == 1


def test_pg_dump_in_the_image_can_dump_the_server(stack):
    version = stack.once("pg-dump-version", "pg_dump", "--version")
    image_major = int(re.search(r"(\d+)\.", version.stdout).group(1))
    server_major = int(query(stack.database, "SHOW server_version_num")[0][0]) // 10000
    record("pg_dump in the image / PostgreSQL server", f"{image_major} / {server_major}")
    # pg_dump refuses a server newer than itself; Debian bookworm gives 15, as the server here.
    assert image_major >= server_major


def test_healthcheck_follows_port_and_processes_are_not_root(stack, web, workers):
    container, url = web
    assert not url.endswith(":8000")
    check = stack.podman.run("healthcheck", "run", container, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert stack.podman.run("inspect", "--format", "{{.State.Health.Status}}", container).stdout.strip() == "healthy"
    for name in (container, *workers):
        users = stack.podman.run("top", name, "huser").stdout.split()[1:]
        assert users and set(users) == {APP_UID}, (name, users)
        assert stack.podman.run("exec", name, "id", "-u").stdout.strip() == APP_UID


def test_final_stage_has_no_compiler_or_node(stack):
    tools = "gcc cc c++ make ld node npm apt-get"
    found = stack.once("tools", "sh", "-c", f"for t in {tools}; do command -v $t; done; true")
    assert found.stdout.split() == ["/usr/bin/apt-get"]  # the base's package manager stays


def test_sigterm_lets_an_in_flight_withdrawal_finish_then_stops(stack, item, web, withdrawal):
    container, url = start_web(stack, "web-stopping")
    browser = Browser(url)
    assert browser.login(MANAGER).status_code == 302
    page = browser.get(f"/items/{item}")
    body = urlencode({"csrf_token": browser.token, **withdraw_form(page.text, 1)}).encode()
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = (
        f"POST /items/{item}/withdraw HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    conn = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=30)
    conn.sendall(head + body[:10])  # the request is in flight: half its body is still to come
    time.sleep(0.5)
    started = time.monotonic()
    stopping = stack.podman.popen("stop", "--time", "30", container, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: "Handling signal: term" in stack.logs(container), timeout=20, what="gunicorn to get SIGTERM")
    conn.sendall(body[10:])
    answer = b""
    while chunk := conn.recv(65536):
        answer += chunk
    conn.close()
    stopping.wait(60)
    record("web graceful stop (SIGTERM, one request in flight)", time.monotonic() - started)
    assert answer.startswith(b"HTTP/1.1 302"), answer[:500]
    assert stack.state(container) == ("exited", 0)  # not killed at the end of the grace period
    level = requests.get(f"{web[1]}/api/v1/items/{item}", headers=api_token(web[1], MANAGER), timeout=30)
    assert level.json()["quantity"] == 3  # 10 - 6 - 1: the in-flight withdrawal was kept


def test_worker_and_beat_stop_on_sigterm(stack, workers, delivered):
    for name in workers:
        started = time.monotonic()
        stack.podman.run("stop", "--time", "30", name)
        record(f"{name.rsplit('-', 1)[1]} graceful stop (SIGTERM)", time.monotonic() - started)
        assert stack.state(name) == ("exited", 0), stack.logs(name)[-2000:]
