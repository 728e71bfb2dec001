"""Moving a big subtree while stock moves (issue 32, "no long pauses"), on a loaded bench database.

Moves an aisle (`BENCH_AISLE`, default 3: "Site 1 / Aisle 01") to the other site while a thread
withdraws one unit at a time from an item homed in it, then runs the queued recount the same way;
prints each one's time, the withdrawals' slowest and median time meanwhile, and how many
locations' figures differ from a full count afterwards (0 expected). The aisle is renamed on the
way (the other site has an aisle of the same name); run it again to move it back.

    BENCH_DB=inventory_bench_ss_move .venv/bin/python -m bench.subtree_move

Load the database first (bench/load_data.py; 600,000 items make two sites of 300,000).
"""

from __future__ import annotations

import os
import secrets
import threading
import time

import sqlalchemy as sa

DB = os.environ.get("BENCH_DB", "inventory_bench")
AISLE = int(os.environ.get("BENCH_AISLE", "3"))

_SUMS = "SELECT location_id, sum(items) i, sum(placed) p, sum(units) u, sum(value) v, sum(low) w FROM {} GROUP BY 1"
_DIFFERENT = f"""
SELECT count(*) FROM ({_SUMS.format("location_stats")}) m FULL JOIN ({_SUMS.format("fresh")}) f USING (location_id)
WHERE (coalesce(m.i, 0), coalesce(m.p, 0), coalesce(m.u, 0), coalesce(m.v, 0), coalesce(m.w, 0))
      IS DISTINCT FROM (coalesce(f.i, 0), coalesce(f.p, 0), coalesce(f.u, 0), coalesce(f.v, 0), coalesce(f.w, 0))
"""


def main() -> None:
    os.environ.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        JWT_SECRET=secrets.token_urlsafe(48),
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{DB}",
    )
    os.environ.pop("REDIS_URL", None)
    from app import create_app
    from app.extensions import db
    from app.models import Location, User
    from app.services import location_counters, location_recount, locations, stock

    app = create_app()
    with app.app_context():
        aisle = db.session.get(Location, AISLE)
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
        stock.restock(item_id, 5000, actor=db.session.get(User, actor_id))
        print(f"Moving {aisle.path} under location {target}; withdrawing item {item_id} meanwhile")

    stop, times = threading.Event(), []

    def withdrawals() -> None:
        with app.app_context():
            actor = db.session.get(User, actor_id)
            while not stop.is_set():
                start = time.perf_counter()
                stock.withdraw(item_id, 1, actor=actor)
                times.append(time.perf_counter() - start)
            db.session.remove()

    def measured(label: str, work) -> None:
        times.clear()
        stop.clear()
        thread = threading.Thread(target=withdrawals)
        thread.start()
        time.sleep(0.5)
        try:
            start = time.perf_counter()
            work()
            took = time.perf_counter() - start
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join()
        ordered = sorted(times)
        print(
            f"{label}: {took:.2f} s; {len(ordered)} withdrawals meanwhile, slowest {ordered[-1] * 1000:.0f} ms,"
            f" median {ordered[len(ordered) // 2] * 1000:.1f} ms",
            flush=True,
        )

    with app.app_context():
        name = f"Moved {secrets.token_hex(3)}"
        measured("move", lambda: locations.update_location(AISLE, {"parent_id": target, "name": name}))
        db.session.remove()
        measured("recount", location_recount.recount_pending)
        db.session.execute(sa.text("CREATE TEMP TABLE fresh (LIKE location_stats)"))
        db.session.execute(
            sa.text(location_counters.REBUILD_SQL.replace("INSERT INTO location_stats", "INSERT INTO fresh"))
        )
        print("locations whose figures differ from a full count:", db.session.execute(sa.text(_DIFFERENT)).scalar())
        db.session.rollback()


if __name__ == "__main__":
    main()
