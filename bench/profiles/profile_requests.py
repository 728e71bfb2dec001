"""cProfile of the movement and read paths, request by request, on a loaded bench database.

    BENCH_DB=inventory_bench .venv/bin/python -m bench.profiles.profile_requests [N] [scenario,...]

Builds the app in this process with the production config (APP_ENV=production, APP_PROCESS=web,
no Redis: what the bench's one-worker server runs), signs in as the bench manager (API token),
and plays the bench's own request lists (bench/scenarios.py) through Flask's test client: for each
scenario (default withdraw_1, filtered_p1, search_sku, item_detail, scan) N requests timed without
the profiler (median), then N under cProfile. Prints, per scenario, the median, the statements
per request and the top entries by cumulative and by own time. PROFILE_OUT=dir writes each
profile's pstats file there too.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import secrets
import statistics
import sys
import time

DEFAULT = ("withdraw_1", "filtered_p1", "search_sku", "item_detail", "scan")


def main(n: int, names: tuple[str, ...]) -> None:
    name = os.environ.get("BENCH_DB", "inventory_bench")
    os.environ.update(
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{name}",
        APP_ENV="production",
        APP_PROCESS="web",
        SECRET_KEY=secrets.token_urlsafe(48),
        JWT_SECRET=secrets.token_urlsafe(48),
        RATELIMIT_STORAGE_URI="memory://",
    )
    os.environ.pop("REDIS_URL", None)
    import psycopg2
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from bench import scenarios
    from bench.server import PASSWORD

    app = create_app()
    client = app.test_client()
    base = "https://localhost"  # production cookies and redirects expect HTTPS
    login = client.post(
        "/api/v1/auth/login", json={"email": "manager@bench.example", "password": PASSWORD}, base_url=base
    )
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    conn = psycopg2.connect(os.environ["DATABASE_URL"])
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM items")
        items = cur.fetchone()[0]
    plan = {s.name: s for s in scenarios.build(items, with_page=False)}
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))

    def play(line: str) -> None:
        method, path, *body = line.split("\t")
        if method == "GET":
            answer = client.get(path, headers=headers, base_url=base)
        else:
            answer = client.post(path, data=body[0], content_type="application/json", headers=headers, base_url=base)
        if answer.status_code >= 400 and answer.status_code != 409:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.get_data(as_text=True)[:200]}")

    def top_up() -> None:  # the hot set back to 10,000 units, so withdrawals never run out
        with conn.cursor() as cur:
            cur.execute("SELECT id, quantity FROM items WHERE id <= 100 AND quantity < 10000")
            short = cur.fetchall()
        conn.rollback()
        for item_id, quantity in short:
            client.post(
                f"/api/v1/items/{item_id}/restock",
                data=json.dumps({"quantity": int(10000 - quantity)}),
                content_type="application/json",
                headers=headers,
                base_url=base,
            )

    out_dir = os.environ.get("PROFILE_OUT")
    for scenario_name in names:
        lines = plan[scenario_name].lines
        if scenario_name.startswith(("withdraw", "movements")):
            top_up()
        for i in range(min(200, n)):  # warm-up: caches, plans, the pool
            play(lines[i % len(lines)])
        times = []
        statements.clear()
        for i in range(n):
            start = time.perf_counter()
            play(lines[i % len(lines)])
            times.append((time.perf_counter() - start) * 1000)
        per_request = len(statements) / n
        profile = cProfile.Profile()
        profile.enable()
        began = time.perf_counter()
        for i in range(n):
            play(lines[i % len(lines)])
        profiled = time.perf_counter() - began
        profile.disable()
        print(
            f"=== {scenario_name}: {n} requests, test client, no profiler: median {statistics.median(times):.2f} ms, "
            f"{per_request:.1f} statements a request; profiled {1000 * profiled / n:.2f} ms each"
        )
        if out_dir:
            profile.dump_stats(os.path.join(out_dir, f"{scenario_name}.pstats"))
        for order in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profile, stream=text).strip_dirs().sort_stats(order).print_stats(35)
            print(text.getvalue(), flush=True)
    conn.close()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
        tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else DEFAULT,
    )
