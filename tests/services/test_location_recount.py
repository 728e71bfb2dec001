"""A move of a subtree no longer holds stock changes while the figures above it are counted again:
it queues them, movements go on during the count, and the figures are exact once it has run."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app import jobs
from app.extensions import db
from app.models import Location, User
from app.services import location_counters, location_recount, locations, stock
from tests.services.test_location_counters import _agree

pytestmark = pytest.mark.core


@pytest.fixture
def tree(factory):
    """Site > Aisle > {Shelf 1 > bins a, b; Shelf 2 > bin c}; Store > bin d; stock in every bin."""
    site = factory.location("Site", is_structural=True)
    aisle = factory.location("Aisle", parent_id=site.id, is_structural=True)
    shelf1 = factory.location("Shelf 1", parent_id=aisle.id, is_structural=True)
    shelf2 = factory.location("Shelf 2", parent_id=aisle.id, is_structural=True)
    a = factory.location("A", parent_id=shelf1.id)
    b = factory.location("B", parent_id=shelf1.id)
    c = factory.location("C", parent_id=shelf2.id)
    store = factory.location("Store", is_structural=True)
    d = factory.location("D", parent_id=store.id)
    ids = {n: loc.id for n, loc in locals().items() if n != "factory"}
    manager = factory.actor("manager")
    # 20 items (every stripe but a few), spread over the bins; some in two bins of both sites.
    made = []
    for n in range(20):
        home = (a, b, c, d)[n % 4]
        made.append(factory.item(quantity=10 + n, location=db.session.get(Location, home.id), actor=manager))
    for item in made[::3]:
        stock.restock(item.id, 2, actor=manager, location_id=b.id if item.location_id != b.id else d.id)
    ids["items"] = [item.id for item in made]
    ids["manager"] = manager.id
    return ids


def _everything(t: dict) -> list[int]:
    return [t[n] for n in ("site", "aisle", "shelf1", "shelf2", "a", "b", "c", "store", "d")]


def test_a_move_queues_the_locations_above_its_old_and_new_place_and_the_recount_makes_them_exact(ctx, tree):
    t = tree
    locations.update_location(t["shelf1"], {"parent_id": t["store"]})
    # The move itself counted nothing: the locations above both places wait for the job.
    assert location_recount.pending() == {t["site"], t["aisle"], t["store"]}
    assert sorted(location_recount.recount_pending()) == sorted([t["site"], t["aisle"], t["store"]])
    assert location_recount.pending() == set()
    _agree(*_everything(t))
    assert location_recount.recount_pending() == []  # a second run (the sweep) finds nothing to do


def test_the_move_enqueues_the_recount_job_after_its_commit(ctx, tree, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args: sent.append((name, args)))
    locations.update_location(tree["shelf1"], {"name": "Shelf 1b"})  # a rename moves no figures
    assert sent == [] and location_recount.pending() == set()
    locations.update_location(tree["shelf1"], {"parent_id": tree["store"]})
    assert sent == [(jobs.RECOUNT_LOCATIONS, ())]


def test_movements_in_the_moved_subtree_between_the_chunks_of_the_recount_are_counted_exactly(ctx, tree):
    t = tree
    manager = db.session.get(User, t["manager"])
    locations.update_location(t["aisle"], {"parent_id": t["store"]})
    half = range(location_counters.STRIPES // 2)
    location_recount.recount(t["site"], half)  # the count has done half of the site's stripes
    for item_id in t["items"][:8]:  # movements go on inside the moved aisle and elsewhere
        stock.withdraw(item_id, 1, actor=manager)
        stock.restock(item_id, 3, actor=manager, location_id=t["c"])
    stock.transfer(t["items"][1], t["b"], t["d"], 1, actor=manager)  # item 1 is homed in bin b
    location_recount.recount_pending()
    _agree(*_everything(t))


def test_withdrawals_in_the_moved_subtree_complete_while_the_recount_runs_and_the_figures_end_exact(app, ctx, tree):
    """The recount runs in a thread while withdrawals go on in the moved aisle; a withdrawal that
    waited on the recount for more than a few seconds would fail (lock_timeout), not hang."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    t = tree
    manager = db.session.get(User, t["manager"])
    locations.update_location(t["aisle"], {"parent_id": t["store"]})
    failures: list = []

    def count_again() -> None:
        with app.app_context():
            try:
                location_recount.recount_pending()
            except Exception as exc:  # reported by the assertion below
                failures.append(exc)
            finally:
                db.session.remove()

    counting = threading.Thread(target=count_again)
    counting.start()
    rounds = 0
    while rounds < 9 and (rounds == 0 or counting.is_alive()):  # every item holds 10 units or more
        for item_id in t["items"]:
            db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))  # the withdrawal's transaction
            stock.withdraw(item_id, 1, actor=manager)
        rounds += 1
    counting.join(timeout=120)
    assert failures == [] and not counting.is_alive()
    assert location_recount.pending() == set()
    _agree(*_everything(t))


def test_the_move_waits_for_a_movement_that_holds_its_item_and_then_counts_it_at_the_new_place(app, ctx, tree):
    """A movement that locked its item (and read its bin's path) before the move must finish first:
    a SHARE lock let it through, and its change then went to the locations above the old place."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("table locks: PostgreSQL only")
    t = tree
    item_id = t["items"][0]  # homed in bin a, on shelf 1
    with db.engine.connect() as movement:
        movement.execute(sa.text("SELECT id FROM items WHERE id = :id FOR UPDATE"), {"id": item_id})
        outcome: list = []

        def move() -> None:
            with app.app_context():
                try:
                    outcome.append(locations.update_location(t["shelf1"], {"parent_id": t["store"]}).id)
                except Exception as exc:
                    outcome.append(exc)
                finally:
                    db.session.remove()

        moving = threading.Thread(target=move)
        moving.start()
        waited = False
        with db.engine.connect() as watch:
            while moving.is_alive() and not waited:
                waited = bool(
                    watch.execute(
                        sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                    ).scalar()
                )
                watch.rollback()
        movement.rollback()
        moving.join(timeout=60)
    assert waited, "the move did not wait for the movement holding its item"
    assert outcome == [t["shelf1"]]
    location_recount.recount_pending()
    _agree(*_everything(t))
