"""FEFO against untracked withdrawals (issue 27), in-process, same run, same database.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/DB .venv/bin/python -m bench.lots [ROUNDS]

Creates (in an empty, migrated database) one untracked item and one lot-tracked item with 5 lots at
one location, then alternates withdrawals of 1 unit from each through the stock service (each its
own transaction, as the API runs it) and prints both medians and their ratio. The FEFO withdrawal
locks and reads the 5 lots and writes one lot level more than the untracked one.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta


def main(rounds: int = 400) -> dict[str, float]:
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.models import User
    from app.services import items, locations, stock, users

    app = create_app(TestingConfig())
    with app.app_context():
        upgrade()
        actor = users.create_user(
            email="bench-lots@example.com", password="password123", full_name="Bench", role="manager"
        )
        place = locations.create_location({"name": "Bench lots"})
        plain = items.create_item(
            {"sku": "B-PLAIN", "name": "Plain", "location_id": place.id, "quantity": rounds * 2}, actor=actor
        )
        lotted = items.create_item(
            {"sku": "B-LOT", "name": "Lotted", "location_id": place.id, "tracking": "lot"}, actor=actor
        )
        for n in range(5):
            expiry = date.today() + timedelta(days=30 * (n + 1))
            stock.restock(lotted.id, rounds, actor=actor, lot=f"L-{n}", expires_on=expiry)
        ids, actor_id = (plain.id, lotted.id), actor.id
        db.session.remove()
        timings: dict[int, list[float]] = {ids[0]: [], ids[1]: []}
        for _ in range(rounds):
            for item_id in ids:
                user = db.session.get(User, actor_id)
                start = time.perf_counter()
                stock.withdraw(item_id, 1, actor=user)
                timings[item_id].append(time.perf_counter() - start)
                db.session.remove()
        trace_p95 = _trace_p95(lotted.id, actor_id)
    untracked, fefo = (statistics.median(timings[i]) * 1000 for i in ids)
    result = {
        "trace_10000_p95_ms": trace_p95,
        "untracked_ms": round(untracked, 3),
        "fefo_5_lots_ms": round(fefo, 3),
        "ratio": round(fefo / untracked, 2),
    }
    print(result)
    return result


def _trace_p95(item_id: int, actor_id: int, movements: int = 10_000, runs: int = 40) -> float:
    """p95 of a lot's trace (the service and its JSON) once the lot has `movements` ledger rows."""
    import sqlalchemy as sa

    from app import jsonio
    from app.extensions import db
    from app.models import InventoryLog, Lot
    from app.models.base import utcnow
    from app.services import traceability

    lot_id = db.session.scalar(sa.select(Lot.id).where(Lot.item_id == item_id).order_by(Lot.id).limit(1))
    location_id = db.session.scalar(sa.select(InventoryLog.location_id).where(InventoryLog.lot_id == lot_id).limit(1))
    now = utcnow()
    row = {
        "item_id": item_id,
        "location_id": location_id,
        "user_id": actor_id,
        "action": "withdraw",
        "quantity_before": 1,
        "quantity_after": 1,
        "delta": 0,
        "lot_id": lot_id,
        "created_at": now,
    }
    db.session.execute(sa.insert(InventoryLog), [row] * movements)
    db.session.commit()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        jsonio.dumps(traceability.lot_trace(lot_id), default=str)
        times.append(time.perf_counter() - start)
        db.session.remove()
    return round(sorted(times)[int(runs * 0.95) - 1] * 1000, 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
