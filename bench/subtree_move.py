"""Moving a big subtree while stock moves (issue 32, "no long pauses"), on a loaded bench database.

Moves an aisle (`BENCH_AISLE`, default 3: "Site 1 / Aisle 01", a twentieth of the items) to the
other site while a thread withdraws one unit at a time from an item homed in it, then runs the
queued recount the same way; then moves it back (its old name and parent) and recounts again, so
the database ends as it began. For each of the four steps: its time, the withdrawals meanwhile,
their slowest and median time; afterwards how many locations' figures differ from a full count
(0 expected). The target (bench/report.py): no withdrawal waits more than 1 s in any step, and
the figures are exact at the end.

    BENCH_DB=inventory_bench .venv/bin/python -m bench.subtree_move

`make bench` runs it as the phase `subtree_move` (bench/run.py: a subprocess on the bench's
database after the server phases; its last line, `SUBTREE_JSON {...}`, is the phase's figures).
Load the database first (bench/load_data.py; at 600,000 items the two sites hold 300,000 each).
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

DB = os.environ.get("BENCH_DB", "inventory_bench")
AISLE = int(os.environ.get("BENCH_AISLE", "3"))
LIMIT_MS = 1000.0  # the "at most 1 s" a stock change may wait during a move
ROOT = Path(__file__).resolve().parent.parent

_SUMS = "SELECT location_id, sum(items) i, sum(placed) p, sum(units) u, sum(value) v, sum(low) w FROM {} GROUP BY 1"
_DIFFERENT = f"""
SELECT count(*) FROM ({_SUMS.format("location_stats")}) m FULL JOIN ({_SUMS.format("fresh")}) f USING (location_id)
WHERE (coalesce(m.i, 0), coalesce(m.p, 0), coalesce(m.u, 0), coalesce(m.v, 0), coalesce(m.w, 0))
      IS DISTINCT FROM (coalesce(f.i, 0), coalesce(f.p, 0), coalesce(f.u, 0), coalesce(f.v, 0), coalesce(f.w, 0))
"""


def measure() -> dict:
    """The four steps' figures (see the module docstring), in this process, on BENCH_DB."""
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        JWT_SECRET=secrets.token_urlsafe(48),
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"postgresql://postgres@127.0.0.1:5432/{DB}",
    )
    os.environ.pop("REDIS_URL", None)
    from app import create_app
    from app.extensions import db
    from app.models import Location, User
    from app.services import location_counters, location_recount, locations, stock

    app = create_app()
    with app.app_context():
        aisle = db.session.get(Location, AISLE)
        home_parent, home_name = aisle.parent_id, aisle.name
        site = int(aisle.path_key.strip("/").split("/")[0])
        target = db.session.execute(
            sa.select(Location.id).where(Location.parent_id.is_(None), Location.id != site).order_by(Location.id)
        ).scalar()
        actor_id = db.session.execute(sa.select(User.id).where(User.role == "manager")).scalars().first()
        item_id = db.session.execute(
            sa.text(
                "SELECT i.id FROM items i JOIN locations l ON l.id = i.location_id"
                " WHERE l.path_key LIKE :k AND i.quantity > 0 ORDER BY i.id LIMIT 1"
            ),
            {"k": aisle.path_key + "%"},
        ).scalar_one()
        subtree_items = db.session.execute(
            sa.text("SELECT count(*) FROM items i JOIN locations l ON l.id = i.location_id WHERE l.path_key LIKE :k"),
            {"k": aisle.path_key + "%"},
        ).scalar_one()
        stock.restock(item_id, 5000, actor=db.session.get(User, actor_id))
        path = aisle.path
        print(f"Moving {path} ({subtree_items:,} items) under location {target} and back; withdrawing item {item_id}")
        db.session.remove()

    stop, times = threading.Event(), []

    def withdrawals() -> None:
        with app.app_context():
            actor = db.session.get(User, actor_id)
            while not stop.is_set():
                start = time.perf_counter()
                stock.withdraw(item_id, 1, actor=actor)
                times.append(time.perf_counter() - start)
            db.session.remove()

    def measured(label: str, work) -> dict:
        times.clear()
        stop.clear()
        thread = threading.Thread(target=withdrawals)
        thread.start()
        time.sleep(0.5)
        try:
            start = time.perf_counter()
            with app.app_context():
                work()
                db.session.remove()
            took = time.perf_counter() - start
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        row = {
            "step": label,
            "seconds": round(took, 2),
            "withdrawals": len(times),
            "slowest_ms": round(max(times) * 1000, 1),
            "median_ms": round(statistics.median(times) * 1000, 2),
        }
        print(
            f"  {label:<14} {row['seconds']:.2f} s; {row['withdrawals']} withdrawals meanwhile, "
            f"slowest {row['slowest_ms']:.0f} ms, median {row['median_ms']:.1f} ms",
            flush=True,
        )
        return row

    away = f"Moved {secrets.token_hex(3)}"
    steps = [
        measured("move", lambda: locations.update_location(AISLE, {"parent_id": target, "name": away})),
        measured("recount", location_recount.recount_pending),
        measured("move back", lambda: locations.update_location(AISLE, {"parent_id": home_parent, "name": home_name})),
        measured("recount back", location_recount.recount_pending),
    ]
    with app.app_context():
        db.session.execute(sa.text("CREATE TEMP TABLE fresh (LIKE location_stats)"))
        db.session.execute(
            sa.text(location_counters.REBUILD_SQL.replace("INSERT INTO location_stats", "INSERT INTO fresh"))
        )
        wrong = int(db.session.execute(sa.text(_DIFFERENT)).scalar())
        db.session.rollback()
        db.session.remove()
    print(f"  locations whose figures differ from a full count: {wrong}")
    return {
        "subtree": path,
        "subtree_items": int(subtree_items),
        "steps": steps,
        "slowest_withdrawal_ms": max(s["slowest_ms"] for s in steps),
        "locations_wrong_after": wrong,
        "limit_ms": LIMIT_MS,
    }


def run(url: str) -> dict:
    """The phase for bench/run.py: measure() in a process of its own (its own app and settings)."""
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, "-m", "bench.subtree_move", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    lines = out.stdout.splitlines()
    for line in lines:
        if not line.startswith("SUBTREE_JSON "):
            print(line, flush=True)
    for line in lines:
        if line.startswith("SUBTREE_JSON "):
            return json.loads(line[len("SUBTREE_JSON ") :])
    raise RuntimeError(f"bench.subtree_move gave no result: {out.stdout[-500:]} {out.stderr[-1500:]}")


if __name__ == "__main__":
    figures = measure()
    if "--json" in sys.argv:
        print("SUBTREE_JSON " + json.dumps(figures))
