"""Counting again the figures a move of a subtree changed, while movements go on.

A move changes which locations count the moved subtree: the locations above its old place and
above its new one. Counting them inside the move held every stock change for seconds (an aisle
of 30,000 items between two sites of 300,000: 2.4 s, and a movement that had read its bin's path
just before the move still wrote to the old ancestors). Now the move only rewrites the paths,
under a short barrier, and queues those locations here (`queue`, in the move's transaction); a
job (`recount_pending`, run by a worker after the commit, and by the beat's sweep for anything
left over) counts each of them again, one location and one stripe of items per transaction.

Why each chunk is exact with movements running: the chunk first locks its figures row
(location, stripe), then counts from the stock levels in a later statement, which sees every
transaction committed by then. A movement adds its change to that row at its commit, so one
that committed first is in the count, and one still open waits for the row and adds its change
on top of the count, which did not see it. A movement waits only on its own stripe's row, and
only while that one chunk is counted (1/16 of the items of one location).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Location, LocationRecount, LocationStat
from app.services.location_counters import STRIPES
from app.services.uow import unit_of_work

# One location's figures for one stripe of items, from the stock itself (location_counters'
# from-scratch statement narrowed to one key range and one stripe, so both branches use the
# location indexes instead of reading every level).
_ONE_STRIPE = sa.text(
    f"""
SELECT count(DISTINCT CASE WHEN p.quantity > 0 THEN p.item_id END), count(DISTINCT p.item_id),
       COALESCE(sum(p.quantity), 0), COALESCE(sum(p.quantity * p.price), 0),
       count(DISTINCT CASE WHEN p.quantity > 0 AND p.low THEN p.item_id END)
FROM (
    SELECT sl.item_id, sl.quantity, i.price, i.quantity < i.low_stock_threshold AS low FROM stock_levels sl
    JOIN items i ON i.id = sl.item_id JOIN locations l ON l.id = sl.location_id
    WHERE NOT i.is_deleted AND sl.quantity > 0 AND sl.item_id % {STRIPES} = :stripe
      AND l.path_key >= :low AND l.path_key < :high
    UNION ALL
    SELECT i.id, 0, i.price, false FROM items i JOIN locations l ON l.id = i.location_id
    WHERE NOT i.is_deleted AND i.id % {STRIPES} = :stripe AND l.path_key >= :low AND l.path_key < :high
) p
"""
)


def queue(location_ids: Iterable[int]) -> list[int]:
    """Queue these locations to be counted again, in the caller's transaction (a second move
    before the count bumps their version, so the running count leaves them queued)."""
    ids = sorted(set(location_ids))
    if ids:
        table = LocationRecount.__table__
        insert = _insert()(table).values([{"location_id": i, "version": 1} for i in ids])
        db.session.execute(
            insert.on_conflict_do_update(index_elements=[table.c.location_id], set_={"version": table.c.version + 1})
        )
    return ids


def pending() -> set[int]:
    """Locations whose figures are still to be counted again (a move's, not done yet)."""
    return set(db.session.execute(sa.select(LocationRecount.location_id)).scalars())


def recount_pending() -> list[int]:
    """Count again every queued location (each in STRIPES short transactions); the ones done."""
    done = []
    queued = db.session.execute(sa.select(LocationRecount.location_id, LocationRecount.version)).all()
    db.session.rollback()
    for location_id, version in sorted(queued):
        recount(location_id)
        with unit_of_work():  # left queued when another move queued it again meanwhile
            db.session.execute(
                sa.delete(LocationRecount).where(
                    LocationRecount.location_id == location_id, LocationRecount.version == version
                )
            )
        done.append(location_id)
    return done


def recount(location_id: int, stripes: Iterable[int] = range(STRIPES)) -> None:
    """Count one location's figures again from the stock, one stripe per transaction (see above)."""
    key = db.session.execute(sa.select(Location.path_key).where(Location.id == location_id)).scalar_one_or_none()
    db.session.rollback()
    if key is None:
        return
    high = key[:-1] + "0"  # the first key after the subtree (app.models.location.subtree_upper)
    for stripe in stripes:
        with unit_of_work():
            _lock_row(location_id, stripe)
            counted = db.session.execute(_ONE_STRIPE, {"stripe": stripe, "low": key, "high": high}).one()
            db.session.execute(
                sa.update(LocationStat)
                .where(LocationStat.location_id == location_id, LocationStat.stripe == stripe)
                .values(dict(zip(("items", "placed", "units", "value", "low"), counted, strict=True)))
            )


def _lock_row(location_id: int, stripe: int) -> None:
    """Create the figures row if missing and lock it: movements of this stripe here wait from now."""
    table = LocationStat.__table__
    insert = _insert()(table).values(location_id=location_id, stripe=stripe, items=0, placed=0, units=0, value=0, low=0)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=[table.c.location_id, table.c.stripe]))
    db.session.execute(
        sa.select(LocationStat.location_id)
        .where(LocationStat.location_id == location_id, LocationStat.stripe == stripe)
        .with_for_update()
    )


def _insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
