"""How long a stock movement takes to reach a live client on another web process.

Two gunicorn web processes (A and B, as the Procfile runs them) share a scratch
PostgreSQL database and Redis (on a channel of their own). A client connected to B
times each `stock_changed` event against the HTTP response of the movement made on A:
p50/p99 over N events, first alone, then with M more clients connected to B (held by
helper processes, so their reading does not share this process's interpreter).

    make bench-realtime                       # N=1000, M=500
    .venv/bin/python bench/realtime_latency.py --events 200 --clients 50

Loopback only, bounded loops. Prints a table and writes bench/results/realtime-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg2
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.realtime.servers import start_web, stop_web, worker_pids  # noqa: E402

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
EVENT_TIMEOUT = 10.0

HOLDER = Path(__file__).resolve().parent / "socketio_holder.py"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarize(from_response: list[float], from_request: list[float], lost: int) -> dict:
    def ms(values: list[float]) -> dict:
        return {
            "p50": round(percentile(values, 50) * 1000, 2),
            "p99": round(percentile(values, 99) * 1000, 2),
            "max": round(max(values) * 1000, 2),
            "mean": round(statistics.fmean(values) * 1000, 2),
        }

    return {
        "events": len(from_response),
        "lost": lost,
        "from_response_ms": ms(from_response),
        "from_request_ms": ms(from_request),
    }


def create_database() -> str:
    name = f"inventory_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return name


def drop_database(name: str) -> None:
    conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def seed(env: dict[str, str]) -> tuple[int, str]:
    """Migrate, then make a manager and one item; returns (item id, access token)."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    script = r"""
import json
from decimal import Decimal
from app import create_app
from app.auth import issue_tokens
from app.services import catalog, items, locations, users
app = create_app()
with app.test_request_context():
    user = users.create_user(email="bench@example.com", password="bench-password-1", full_name="Bench", role="manager")
    location = locations.create_location({"name": "Bench shelf"})
    item = items.create_item({"sku": "BENCH-1", "name": "Bench widget", "location_id": location.id,
                              "quantity": 1000000, "low_stock_threshold": 0, "price": Decimal("1")}, actor=user)
    print(json.dumps({"item_id": item.id, "token": issue_tokens(user)["access_token"]}))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["item_id"], data["token"]


class Probe:
    """The measuring client on B: arrival times of stock_changed events by ledger id."""

    def __init__(self, url: str, token: str) -> None:
        self.arrivals: dict[int, float] = {}
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("stock_changed", self._seen)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=20)

    def _seen(self, data: dict) -> None:
        now = time.perf_counter()
        with self.cond:
            self.arrivals[data["log_id"]] = now
            self.cond.notify_all()

    def wait_for(self, log_id: int, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while log_id not in self.arrivals:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.cond.wait(remaining)
            return self.arrivals.pop(log_id)


def run_series(a_url: str, probe: Probe, item_id: int, token: str, events: int) -> dict:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    from_response, from_request, lost = [], [], 0
    for n in range(events):
        action = "restock" if n % 2 == 0 else "withdraw"
        sent = time.perf_counter()
        response = session.post(f"{a_url}/api/v1/items/{item_id}/{action}", json={"quantity": 1}, timeout=30)
        answered = time.perf_counter()
        response.raise_for_status()
        log_id = response.json()["movements"][0]["id"]
        arrived = probe.wait_for(log_id, EVENT_TIMEOUT)
        if arrived is None:
            lost += 1
            continue
        from_response.append(arrived - answered)
        from_request.append(arrived - sent)
    return summarize(from_response, from_request, lost)


def start_holders(url: str, token: str, clients: int, per_process: int = 250) -> list[subprocess.Popen]:
    """Helper processes holding `clients` idle connections to `url`; returns once all are connected."""
    holders = []
    remaining = clients
    while remaining > 0:
        count = min(per_process, remaining)
        holders.append(
            subprocess.Popen(
                [sys.executable, str(HOLDER), url, token, str(count)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
        remaining -= count
    connected = 0
    for holder in holders:
        words = holder.stdout.readline().split()
        connected += int(words[1]) if words[:1] == ["ready"] else 0
    if connected != clients:
        stop_holders(holders)
        raise RuntimeError(f"only {connected} of {clients} extra clients could connect")
    return holders


def stop_holders(holders: list[subprocess.Popen]) -> dict[str, int]:
    """Close the helpers; how many clients were still connected and how many events they got."""
    totals = {"held": 0, "received": 0, "dropped": 0}
    for holder in holders:
        try:
            out, _ = holder.communicate(input="", timeout=60)
        except subprocess.TimeoutExpired:
            holder.kill()
            continue
        for line in out.splitlines():
            words = line.split()
            if words[:1] == ["held"]:
                for key, value in zip(words[0::2], words[1::2], strict=True):
                    totals[key] += int(value)
    return totals


def measure(events: int, clients: int) -> dict:
    """Run both series (probe alone on B, then with `clients` more on B); the report as a dict."""
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    db_name = create_database()
    channel = f"inventory-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEFAULT_ADMIN_")}
    env.update(
        APP_ENV="development",
        DATABASE_URL=f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}",
        REDIS_URL=REDIS_URL,
        SOCKETIO_CHANNEL=channel,
        SOCKETIO_TRANSPORT="websocket",
        SECRET_KEY=uuid.uuid4().hex,
        JWT_SECRET=uuid.uuid4().hex,
        RATELIMIT_STORAGE_URI="memory://",
        WEB_ACCESS_LOG="0",
        PYTHONUNBUFFERED="1",
    )
    logs = ROOT / "instance" / "bench-logs"
    logs.mkdir(parents=True, exist_ok=True)
    webs, holders, results = [], [], {}
    try:
        item_id, token = seed(env)
        a = start_web(env, logs / "realtime-a.log", threads=32)
        webs.append(a)
        b = start_web(env, logs / "realtime-b.log", threads=clients + 64)
        webs.append(b)
        workers = {"a": len(worker_pids(a)), "b": len(worker_pids(b))}
        probe = Probe(b.url, token)
        run_series(a.url, probe, item_id, token, min(50, events))  # warm-up, not counted
        print(f"measuring {events} events, probe alone on B ...", flush=True)
        results["alone"] = timed_series(a.url, b, probe, item_id, token, events)
        print(f"connecting {clients} more clients to B ...", flush=True)
        holders = start_holders(b.url, token, clients)
        print(f"measuring {events} events with {clients + 1} clients on B ...", flush=True)
        results[f"with_{clients}_clients"] = timed_series(a.url, b, probe, item_id, token, events)
        probe.sio.disconnect()
        totals = stop_holders(holders)
        holders = []
        results[f"with_{clients}_clients"]["extra_clients"] = {
            "connected_at_start": clients,
            "still_connected_at_end": totals["held"],
            "events_received": totals["received"],
            "events_expected": clients * events,
        }
    finally:
        stop_holders(holders)
        for web in reversed(webs):
            stop_web(web)
        drop_database(db_name)

    return {
        "benchmark": "realtime_latency",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "setup": {
            "web_processes": 2,
            "workers_per_process": workers,
            "server": "gunicorn gthread (gunicorn.conf.py's default workers), Flask-SocketIO threading mode, "
            "websocket transport",
            "message_queue": "Redis (loopback)",
            "database": "PostgreSQL (loopback)",
            "events_per_series": events,
            "extra_clients": clients,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "measure": "delay from the movement's HTTP response on A (from_response) and from sending the request "
            "(from_request) to the stock_changed event's arrival at a python-socketio client on B; "
            "b_cpu_ms_per_event: CPU time of B's processes per event (the fan-out's cost)",
        },
        "results": results,
    }


def timed_series(a_url: str, b, probe: Probe, item_id: int, token: str, events: int) -> dict:
    """run_series, plus the CPU time B's processes spent per event."""
    before = cpu_seconds(b)
    figures = run_series(a_url, probe, item_id, token, events)
    figures["b_cpu_ms_per_event"] = round(1000 * (cpu_seconds(b) - before) / max(1, events), 2)
    return figures


def cpu_seconds(web) -> float:
    """User + system CPU time of a gunicorn master and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [web.process.pid, *worker_pids(web)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def print_table(report: dict) -> None:
    results = report["results"]
    print()
    print(
        f"{'scenario':<22}{'events':>7}{'lost':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}   {'from request p50/p99 ms':>24}{'B CPU ms/event':>16}"
    )
    for name, r in results.items():
        fr, fq = r["from_response_ms"], r["from_request_ms"]
        print(
            f"{name:<22}{r['events']:>7}{r['lost']:>6}{fr['p50']:>9.2f}{fr['p99']:>9.2f}{fr['max']:>9.2f}"
            f"   {fq['p50']:>11.2f} / {fq['p99']:<9.2f}{r.get('b_cpu_ms_per_event', ''):>16}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    report = measure(args.events, args.clients)
    print_table(report)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"realtime-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
