"""`make bench`: build the database, start the production web process, measure, report.

Environment: BENCH_ITEMS (1000000), BENCH_DURATION (seconds per run, 8), BENCH_DB
(inventory_bench), BENCH_PG_HOST/BENCH_PG_PORT/BENCH_PG_USER (127.0.0.1/5432/postgres),
BENCH_REUSE=1 (keep an already loaded database of the same size), BENCH_ONLY=name,name
(scenarios, and the phases `scaling` and `realtime`), BENCH_REALTIME_EVENTS (1000) and
BENCH_REALTIME_CLIENTS (500), BENCH_REDIS_URL (redis://127.0.0.1:6379/0, for those phases).
Load is generated on loopback only (the server binds 127.0.0.1).
"""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load_data, realtime_latency, report, scaling, scenarios, sql_timing  # noqa: E402

PASSWORD = "bench-password"
HOST = "127.0.0.1"


def settings() -> dict:
    items = int(os.environ.get("BENCH_ITEMS", "1000000"))
    pg = (
        os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
        int(os.environ.get("BENCH_PG_PORT", "5432")),
        os.environ.get("BENCH_PG_USER", "postgres"),
    )
    name = os.environ.get("BENCH_DB", "inventory_bench")
    return {
        "items": items,
        "pg": pg,
        "db": name,
        "url": f"postgresql://{pg[2]}@{pg[0]}:{pg[1]}/{name}",
        "duration": float(os.environ.get("BENCH_DURATION", "8")),
        "reuse": os.environ.get("BENCH_REUSE") == "1",
        "only": [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s],
        "realtime_events": int(os.environ.get("BENCH_REALTIME_EVENTS", "1000")),
        "realtime_clients": int(os.environ.get("BENCH_REALTIME_CLIENTS", "500")),
    }


def wanted(cfg: dict, phase: str) -> bool:
    """The scaling and realtime phases run unless BENCH_ONLY names others only."""
    return not cfg["only"] or phase in cfg["only"]


def prepare_database(cfg: dict) -> dict:
    if cfg["reuse"]:
        try:
            conn = psycopg2.connect(cfg["url"])
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM items")
                if cur.fetchone()[0] == cfg["items"]:
                    conn.close()
                    print(f"Reusing {cfg['db']} ({cfg['items']:,} items).")
                    return {"reused": True}
            conn.close()
        except psycopg2.Error:
            pass
    from werkzeug.security import generate_password_hash

    start = time.perf_counter()
    load_data.recreate_database(*cfg["pg"], cfg["db"])
    load_data.migrate(cfg["url"])
    migrated = time.perf_counter() - start
    conn = psycopg2.connect(cfg["url"])
    print(
        f"Loading {cfg['items']:,} items and {cfg['items'] * load_data.LOG_ROWS_PER_ITEM:,} ledger rows into {cfg['db']} ...",
        flush=True,
    )
    steps = load_data.load(conn, cfg["items"], generate_password_hash(PASSWORD))
    conn.close()
    total = round(time.perf_counter() - start, 1)
    print(f"Loaded in {total} s (migrations {migrated:.1f} s; {steps})", flush=True)
    return {"seconds_total": total, "seconds_migrations": round(migrated, 1), "steps": steps}


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


def login(base: str) -> tuple[str, str | None]:
    """An API access token and a page session cookie for the bench manager."""
    credentials = {"email": "manager@bench.example", "password": PASSWORD}
    token = requests.post(f"{base}/api/v1/auth/login", json=credentials, timeout=30)
    token.raise_for_status()
    form = requests.get(f"{base}/login", timeout=30)
    cookie = None
    if form.status_code == 200 and 'name="csrf_token"' in form.text:
        csrf = form.text.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        answer = requests.post(
            f"{base}/login",
            data={**credentials, "csrf_token": csrf},
            headers={"Cookie": _session_cookie(form) or ""},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code in (302, 303):
            cookie = _session_cookie(answer)
    return token.json()["access_token"], cookie


def main() -> int:
    cfg = settings()
    print(
        f"Benchmark: {cfg['items']:,} items, {os.cpu_count()} cores, database {cfg['db']} on {cfg['pg'][0]}:{cfg['pg'][1]}"
    )
    load = prepare_database(cfg)
    workdir = tempfile.mkdtemp(prefix="inventory-bench-")
    port = free_port()
    env = server_env(cfg, port, workdir)
    server = start_server(env, os.path.join(workdir, "web.log"))
    base = f"http://{HOST}:{port}"
    try:
        token, cookie = login(base)
        rss_start = worker_rss_mb(server.pid)
        page_exists = (
            cookie is not None
            and requests.get(f"{base}/items", headers={"Cookie": cookie}, timeout=30).status_code == 200
        )
        full_plan = scenarios.build(cfg["items"], with_page=page_exists)
        plan = [s for s in full_plan if s.name in cfg["only"]] if cfg["only"] else full_plan
        headers = {"token": ("Authorization", f"Bearer {token}"), "cookie": ("Cookie", cookie), "none": None}
        for scenario in plan:  # warm-up: plans, caches, connection pool
            scenarios.run_wrk(base, scenario, 2, 1, headers[scenario.auth])
        # The raw SQL is timed now, on the database the read scenarios will see: after the
        # movement runs, autovacuum may re-analyze the hot items and change plans.
        raw = raw_sql(cfg, env, token, plan)
        for scenario in plan:
            for kind, clients in (("low", scenario.low_clients), ("saturated", scenario.saturation_clients)):
                if clients:
                    if scenario.name in MOVEMENT_SCENARIOS:
                        top_up_hot_set(cfg, base, ("Authorization", f"Bearer {token}"))
                    settle(base)
                    scenario.results[kind] = scenarios.run_wrk(
                        base, scenario, clients, cfg["duration"], headers[scenario.auth]
                    )
                    print(f"  {scenario.name:<20} {kind:<9} {report.brief(scenario.results[kind])}", flush=True)
        rss = worker_rss_mb(server.pid)
        rss["at_start"] = rss_start
    finally:
        server.terminate()
        server.wait(timeout=30)
    extra = {}
    if wanted(cfg, "scaling"):
        print("Movements with 1 worker and with the default workers (one per core), Redis on:", flush=True)
        extra["scaling"] = scaling.run(cfg, full_plan, headers, workdir)
    if wanted(cfg, "realtime"):
        print("Live updates: a movement on web process A to a client of web process B:", flush=True)
        extra["realtime"] = realtime_latency.measure(cfg["realtime_events"], cfg["realtime_clients"])
        realtime_latency.print_table(extra["realtime"])
    checks = report.integrity_checks(cfg["url"])
    result = report.assemble(cfg, load, plan, raw, checks, rss, page_exists, **extra)
    path = report.write(result)
    report.print_table(result)
    print(f"\nJSON: {path}\nServer log: {os.path.join(workdir, 'web.log')}")
    return 0 if checks["ok"] else 1


def raw_sql(cfg: dict, env: dict, token: str, plan: list) -> dict:
    """Time the SQL the app emits for the read scenarios (see bench/sql_timing.py)."""
    saved = dict(os.environ)
    os.environ.update(
        {k: env[k] for k in ("APP_ENV", "SECRET_KEY", "JWT_SECRET", "DATABASE_URL", "BENCH_HELLO", "CELERY_BROKER_DIR")}
    )
    try:
        from app import create_app

        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    figures = {}
    for scenario in plan:
        if scenario.auth != "token" or not scenario.lines[0].startswith("GET"):
            continue
        captured = sql_timing.capture(app, scenario.lines, {"Authorization": f"Bearer {token}"})
        figures[scenario.name] = sql_timing.replay(cfg["url"], captured)
    return figures


if __name__ == "__main__":
    raise SystemExit(main())
