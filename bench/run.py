"""`make bench`: build the database, start the production web process, measure, report.

Environment: BENCH_ITEMS (1000000), BENCH_DURATION (seconds per run, 8), BENCH_DB
(inventory_bench), BENCH_PG_HOST/BENCH_PG_PORT/BENCH_PG_USER (127.0.0.1/5432/postgres),
BENCH_REUSE=1 (keep an already loaded database of the same size), BENCH_ONLY=name,name
(scenarios, and the phases `pages`, `scaling`, `realtime` and `subtree_move`), BENCH_REALTIME_EVENTS (1000) and
BENCH_REALTIME_CLIENTS (500), BENCH_REDIS_URL (redis://127.0.0.1:6379/0, for those phases),
BENCH_PAGE_REPEATS (20 requests per page and role in the phase `pages`, the page budget),
BENCH_AISLE (3: the aisle the phase `subtree_move` moves to the other site and back).
Load is generated on loopback only (the server binds 127.0.0.1).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    load_data,
    pages,
    realtime_latency,
    report,
    scaling,
    scenarios,
    sql_timing,
    subtree_move,
)
from bench.server import (  # noqa: E402
    HOST,
    MOVEMENT_SCENARIOS,
    PASSWORD,
    free_port,
    login,
    server_env,
    settle,
    start_server,
    top_up_hot_set,
    worker_rss_mb,
)


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
        "page_repeats": int(os.environ.get("BENCH_PAGE_REPEATS", "20")),
    }


def wanted(cfg: dict, phase: str) -> bool:
    """The pages, scaling, realtime and subtree_move phases run unless BENCH_ONLY names others only."""
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
    extra = {}
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
            # What each scenario leaves the worker holding (the RSS target's figure is the last).
            scenario.results["worker_rss_mb_after"] = max(
                v for k, v in worker_rss_mb(server.pid).items() if k.startswith("worker")
            )
        rss = worker_rss_mb(server.pid)
        rss["at_start"] = rss_start
        if wanted(cfg, "pages"):
            print("Page budget: every page of the page-role table, as each role that may open it:", flush=True)
            extra["pages"] = pages.measure(base, cfg["items"], cfg["page_repeats"])
            # Not the RSS target's figure (taken above, after the scenarios): what rendering every page adds.
            rss["after_pages"] = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if wanted(cfg, "scaling"):
        print("Movements with 1 worker and with the default workers (one per core), Redis on:", flush=True)
        extra["scaling"] = scaling.run(cfg, full_plan, headers, workdir)
    if wanted(cfg, "realtime"):
        print("Live updates: a movement on web process A to a client of web process B:", flush=True)
        extra["realtime"] = realtime_latency.measure(cfg["realtime_events"], cfg["realtime_clients"])
        realtime_latency.print_table(extra["realtime"])
    if wanted(cfg, "subtree_move"):
        print("Moving a big subtree to the other site and back while one item is withdrawn meanwhile:", flush=True)
        extra["subtree_move"] = subtree_move.run(cfg["url"])
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
