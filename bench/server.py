"""The bench's web server: start the production web process (the Procfile's command) on
loopback, wait for it, sign in, top the hot set up, let it settle, read its workers' memory.
Used by bench/run.py and bench/scaling.py."""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import time
from pathlib import Path

import psycopg2
import requests

from bench import load_data

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
HOST = "127.0.0.1"
MOVEMENT_SCENARIOS = ("withdraw_1", "movements_mixed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(cfg: dict, port: int, workdir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEFAULT_ADMIN", "REDIS_URL", "SENDGRID"))}
    env.update(
        APP_ENV="production",
        SECRET_KEY=cfg.setdefault("secret", secrets.token_urlsafe(48)),
        JWT_SECRET=cfg.setdefault("jwt_secret", secrets.token_urlsafe(48)),
        DATABASE_URL=cfg["url"],
        HOST=HOST,
        PORT=str(port),
        BENCH_HELLO="1",
        CELERY_BROKER_DIR=workdir,
        BACKUP_DIR=workdir,
        PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
    )
    return env


def start_server(env: dict, log_path: str) -> subprocess.Popen:
    """The Procfile's web line, as production runs it."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(shlex.split(web[4:].strip()), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            if requests.get(f"http://{HOST}:{env['PORT']}/bench/hello", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"the web process did not start; see {log_path}")


MOVEMENT_SCENARIOS = ("withdraw_1", "movements_mixed")


def top_up_hot_set(cfg: dict, base: str, header: tuple[str, str], units: int = 50) -> int:
    """Bring every hot item back to the `units` it was loaded with, by restocking its home
    through the API (ledger and counters stay exact), so that each movement run of a reused
    database starts as one of a fresh database does, not drained by the runs before it (a
    withdrawal of an item at zero answers 409, not the movement being measured). Returns
    the restocks made."""
    conn = psycopg2.connect(cfg["url"])
    with conn.cursor() as cur:
        cur.execute("SELECT id, quantity FROM items WHERE id <= %s AND quantity < %s", (load_data.HOT_ITEMS, units))
        short = cur.fetchall()
    conn.close()
    with requests.Session() as session:
        for item_id, quantity in short:
            answer = session.post(
                f"{base}/api/v1/items/{item_id}/restock",
                json={"quantity": units - int(quantity)},
                headers=dict([header]),
                timeout=30,
            )
            answer.raise_for_status()
    return len(short)


def settle(base: str, limit: float = 60.0) -> float:
    """Wait until the server has finished the previous run's queued requests (wrk stops
    sending at its deadline, but requests already accepted are still being answered):
    three quick answers in a row from the hello route. "Quick" is under 50 ms: an idle
    server answers in 2-20 ms here (a request after a pause wakes an idle machine), one
    still working through a saturated run's queue in far more. Returns the seconds waited."""
    start = time.perf_counter()
    quick = 0
    with requests.Session() as session:  # one kept-alive connection
        while quick < 3 and time.perf_counter() - start < limit:
            began = time.perf_counter()
            try:
                session.get(f"{base}/bench/hello", timeout=limit)
            except requests.RequestException:
                quick = 0
                continue
            quick = quick + 1 if time.perf_counter() - began < 0.05 else 0
            time.sleep(0.2)
    return time.perf_counter() - start


def worker_rss_mb(master_pid: int) -> dict:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    figures = {}
    for pid in [master_pid, *map(int, children)]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                figures["master" if pid == master_pid else f"worker_{pid}"] = round(int(line.split()[1]) / 1024, 1)
    return figures


def _session_cookie(response: requests.Response) -> str | None:
    # Production cookies are Secure; over plain loopback HTTP we carry them by hand.
    raw = response.headers.get("Set-Cookie", "")
    return "session=" + raw.split("session=", 1)[1].split(";", 1)[0] if "session=" in raw else None


def page_cookie(base: str, email: str) -> str | None:
    """A page session cookie for `email` (signed in through the login form), or None."""
    form = requests.get(f"{base}/login", timeout=30)
    if form.status_code != 200 or 'name="csrf_token"' not in form.text:
        return None
    csrf = form.text.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    answer = requests.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf},
        headers={"Cookie": _session_cookie(form) or ""},
        allow_redirects=False,
        timeout=30,
    )
    return _session_cookie(answer) if answer.status_code in (302, 303) else None


def login(base: str) -> tuple[str, str | None]:
    """An API access token and a page session cookie for the bench manager."""
    credentials = {"email": "manager@bench.example", "password": PASSWORD}
    token = requests.post(f"{base}/api/v1/auth/login", json=credentials, timeout=30)
    token.raise_for_status()
    return token.json()["access_token"], page_cookie(base, credentials["email"])
