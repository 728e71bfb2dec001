"""Stock counts through the services, on the real database: variances, approval, races, the schedule."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import AlreadyCounted, Conflict, InsufficientStock, InvalidState, ValidationFailed
from app.extensions import db
from app.models import InventoryLog, Item, Location, StockCount, StockLevel, User
from app.models.base import utcnow
from app.services import items, stock
from app.services.counts import counting as counts
from app.services.counts import schedule as count_schedule
from app.services.counts import views as count_views
from tests.helpers.api import all_keys
from tests.helpers.concurrency import race
from tests.helpers.events import collecting
from tests.helpers.factories import as_actor

pytestmark = pytest.mark.core
on_postgres = pytest.mark.skipif(os.environ.get("TEST_DB") == "sqlite", reason="row locks need PostgreSQL")


def _level(item_id: int, location_id: int):
    return db.session.scalar(
        sa.select(StockLevel.quantity).where(StockLevel.item_id == item_id, StockLevel.location_id == location_id)
    )


def _count_logs(count_id: int) -> list[InventoryLog]:
    return db.session.scalars(
        sa.select(InventoryLog).where(InventoryLog.count_id == count_id).order_by(InventoryLog.id)
    ).all()


def _ledger_matches_levels(item_id: int) -> None:
    """Every level equals the sum of its ledger deltas, and the item's total the sum of its levels."""
    db.session.expire_all()
    ledger = dict(
        db.session.execute(
            sa.select(InventoryLog.location_id, sa.func.sum(InventoryLog.delta))
            .where(InventoryLog.item_id == item_id)
            .group_by(InventoryLog.location_id)
        ).all()
    )
    levels = dict(
        db.session.execute(
            sa.select(StockLevel.location_id, StockLevel.quantity).where(StockLevel.item_id == item_id)
        ).all()
    )
    assert {k: Decimal(v) for k, v in ledger.items()} == {k: Decimal(v) for k, v in levels.items()}
    assert Decimal(db.session.get(Item, item_id).quantity) == sum(Decimal(v) for v in levels.values())


@pytest.fixture()
def shelf(shelf, factory):
    """The shared shelf (10 bolts, 4 nuts), and 3 washers on another shelf of the same site."""
    other = factory.location("Shelf B", parent_id=shelf["site"].id)
    return {**shelf, "other": other, "washers": factory.item(quantity=3, location=other)}


@pytest.fixture()
def published(app):
    with collecting(app, "count_updated") as seen:
        yield seen


def test_count_lists_every_item_with_stock_in_the_subtree(factory, ctx, shelf):
    manager = factory.actor("manager")
    count = counts.open_count(location_id=shelf["site"].id, actor=manager)
    assert count.state == "open"
    assert sorted((line.item_id, line.location_id, line.expected) for line in count.lines) == sorted(
        [
            (shelf["bolts"].id, shelf["shelf"].id, 10),
            (shelf["nuts"].id, shelf["shelf"].id, 4),
            (shelf["washers"].id, shelf["other"].id, 3),
        ]
    )


def test_count_narrowed_to_items_lists_only_those(factory, ctx, shelf):
    manager = factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, item_ids=[shelf["nuts"].id], actor=manager)
    assert [line.item_id for line in count.lines] == [shelf["nuts"].id]


def test_overlapping_active_counts_are_refused(factory, ctx, shelf):
    manager = factory.actor("manager")
    first = counts.open_count(location_id=shelf["shelf"].id, actor=manager)
    with pytest.raises(Conflict) as refused:
        counts.open_count(location_id=shelf["site"].id, actor=manager)
    assert refused.value.extra["count_id"] == first.id
    counts.cancel(first.id, actor=manager)
    assert counts.open_count(location_id=shelf["site"].id, actor=manager).state == "open"


def test_variance_is_applied_as_a_difference_so_movements_after_counting_are_kept(factory, ctx, shelf, published):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    bolts, nuts, place = shelf["bolts"], shelf["nuts"], shelf["shelf"]
    count = counts.open_count(location_id=place.id, actor=manager)
    counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=8, actor=staff)  # 2 missing
    counts.record_line(count.id, item_id=nuts.id, location_id=place.id, counted=4, actor=staff)  # exact
    stock.withdraw(bolts.id, 3, actor=staff, location_id=place.id)  # after counting: kept
    counts.submit(count.id, actor=staff)
    approved = counts.approve(count.id, actor=manager)

    assert approved.state == "approved"
    assert _level(bolts.id, place.id) == 5  # 10 - 3 withdrawn - 2 missing, not "set to 8"
    assert _level(nuts.id, place.id) == 4
    logs = _count_logs(count.id)
    assert [(log.item_id, log.action, log.delta, log.count_id) for log in logs] == [(bolts.id, "adjust", -2, count.id)]
    _ledger_matches_levels(bolts.id)
    assert db.session.get(Location, place.id).last_counted_at is not None
    assert {payload["state"] for _name, payload in published} >= {"open", "submitted", "approved"}
    for _name, payload in published:  # events never carry system quantities
        assert "expected" not in str(payload) and "variance" not in str(payload)


def test_second_entry_needs_add_or_replace(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    bolts, place = shelf["bolts"], shelf["shelf"]
    count = counts.open_count(location_id=place.id, actor=manager)
    counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=6, actor=staff)
    with pytest.raises(AlreadyCounted) as duplicate:
        counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=6, actor=staff)
    assert duplicate.value.code == "already_counted"
    assert (
        counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=3, actor=staff, mode="add").counted
        == 9
    )
    line = counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=10, actor=staff, mode="replace")
    assert line.counted == 10


def test_unexpected_item_becomes_a_new_line(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, actor=manager)
    line = counts.record_line(
        count.id, item_id=shelf["washers"].id, location_id=shelf["shelf"].id, counted=2, actor=staff
    )
    assert (line.unexpected, line.expected, line.counted) == (True, 0, 2)
    counts.submit(count.id, actor=staff)
    counts.approve(count.id, actor=manager)
    assert _level(shelf["washers"].id, shelf["shelf"].id) == 2
    _ledger_matches_levels(shelf["washers"].id)


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"counted": Decimal("1.5")}, ValidationFailed, "counted"),
        ({"location": "other_site"}, ValidationFailed, "location_id"),
        ({"location": "site"}, ValidationFailed, "location_id"),  # structural
        ({"item": "deleted"}, Conflict, "item_id"),
        ({"item_id": 999_999}, ValidationFailed, "item_id"),
    ],
)
def test_bad_counts_are_refused_naming_the_field(factory, ctx, shelf, change, error, field):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["site"].id, actor=manager)
    args = {"item_id": shelf["bolts"].id, "location_id": shelf["shelf"].id, "counted": 5}
    if change.get("location") == "other_site":
        args["location_id"] = factory.location("Elsewhere").id
    elif change.get("location") == "site":
        args["location_id"] = shelf["site"].id
    elif change.get("item") == "deleted":
        gone = factory.item(quantity=0, location=shelf["shelf"])
        items.delete_item(gone.id, actor=manager)
        args["item_id"] = gone.id
    else:
        args.update({k: v for k, v in change.items() if k in args})
    with pytest.raises(error) as refused:
        counts.record_line(count.id, actor=staff, **args)
    assert field in (refused.value.fields or {})


def test_counting_into_a_count_that_is_not_open_is_refused(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, actor=manager)
    counts.submit(count.id, actor=staff)
    with pytest.raises(InvalidState):
        counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=shelf["shelf"].id, counted=1, actor=staff)


def test_approving_twice_is_refused_and_changes_nothing(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, actor=manager)
    counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=shelf["shelf"].id, counted=7, actor=staff)
    counts.submit(count.id, actor=staff)
    counts.approve(count.id, actor=manager)
    with pytest.raises(InvalidState):
        counts.approve(count.id, actor=manager)
    assert _level(shelf["bolts"].id, shelf["shelf"].id) == 7
    assert len(_count_logs(count.id)) == 1


def test_not_counted_means_zero_only_when_asked(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    place = shelf["shelf"]
    kept = counts.open_count(location_id=place.id, actor=manager)
    counts.record_line(kept.id, item_id=shelf["bolts"].id, location_id=place.id, counted=10, actor=staff)
    counts.submit(kept.id, actor=staff)
    counts.approve(kept.id, actor=manager)
    assert _level(shelf["nuts"].id, place.id) == 4  # not counted: unchanged

    zeroed = counts.open_count(location_id=place.id, actor=manager)
    counts.record_line(zeroed.id, item_id=shelf["bolts"].id, location_id=place.id, counted=10, actor=staff)
    counts.submit(zeroed.id, actor=staff)
    counts.approve(zeroed.id, actor=manager, zero_uncounted=True)
    assert _level(shelf["nuts"].id, place.id) == 0
    assert [log.delta for log in _count_logs(zeroed.id)] == [-4]


def test_approval_refuses_a_negative_level_naming_the_line(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    bolts, place = shelf["bolts"], shelf["shelf"]
    count = counts.open_count(location_id=place.id, actor=manager)
    line = counts.record_line(count.id, item_id=bolts.id, location_id=place.id, counted=2, actor=staff)  # -8
    stock.withdraw(bolts.id, 5, actor=staff, location_id=place.id)  # 5 left: -8 would go below zero
    counts.submit(count.id, actor=staff)
    with pytest.raises(InsufficientStock) as refused:
        counts.approve(count.id, actor=manager)
    assert [n["line_id"] for n in refused.value.extra["negative"]] == [line.id]
    assert f"line {line.id}" in refused.value.message
    db.session.expire_all()
    assert db.session.get(StockCount, count.id).state == "submitted"
    assert _level(bolts.id, place.id) == 5 and _count_logs(count.id) == []


def test_recount_sends_lines_back_and_reopens(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    place = shelf["shelf"]
    count = counts.open_count(location_id=place.id, actor=manager)
    line = counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=place.id, counted=1, actor=staff)
    counts.submit(count.id, actor=staff)
    again = counts.recount(count.id, [line.id], actor=manager)
    assert again.state == "open"
    reopened = next(entry for entry in again.lines if entry.id == line.id)
    assert (reopened.counted, reopened.recount) == (None, True)
    # A recounted line takes a fresh count without asking add or replace.
    assert (
        counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=place.id, counted=9, actor=staff).counted
        == 9
    )


def test_blind_count_hides_expected_from_staff_only(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, actor=manager, blind=True)
    counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=shelf["shelf"].id, counted=8, actor=staff)
    count = counts.get_count(count.id)
    for view in (count_views.describe(count, staff), count_views.describe(count, staff, with_lines=False)):
        assert not {"expected", "variance", "variance_value", "total_variance_value"} & all_keys(view)
    managed = count_views.describe(count, manager)
    assert {line["variance"] for line in managed["lines"]} >= {-2}


def test_schedule_opens_due_counts_once(factory, ctx, shelf, app):
    from tasks.counts import open_due_counts

    manager = factory.actor("manager")
    due = db.session.get(Location, shelf["shelf"].id)
    due.count_frequency_days = 14
    due.last_counted_at = utcnow() - timedelta(days=15)
    later = db.session.get(Location, shelf["other"].id)
    later.count_frequency_days = 30
    later.last_counted_at = utcnow() - timedelta(days=25)  # due within the week: shown, not opened
    db.session.commit()

    assert count_schedule.due_summary() == {"counts_due": 1, "counts_overdue": 1}
    opened = open_due_counts.apply().get()  # the real task, run in this process
    assert len(opened) == 1
    assert open_due_counts.apply().get() == []  # idempotent: never two open counts of one location
    count = db.session.get(StockCount, opened[0])
    assert (count.location_id, count.scheduled, count.state) == (shelf["shelf"].id, True, "open")
    staff = factory.actor("staff")
    counts.record_line(count.id, item_id=shelf["bolts"].id, location_id=shelf["shelf"].id, counted=10, actor=staff)
    counts.submit(count.id, actor=staff)
    counts.approve(count.id, actor=manager)
    assert count_schedule.due_summary() == {"counts_due": 1, "counts_overdue": 0}  # the next one in 14 days
    assert open_due_counts.apply().get() == []
    report = count_schedule.accuracy()
    assert [(r["location"], r["lines"], r["exact"], r["accuracy"]) for r in report] == [("Site / Shelf A", 1, 1, 100.0)]


@on_postgres
def test_two_people_counting_one_line_at_once_one_wins_the_other_is_asked(app, factory, ctx, shelf):
    manager = factory.actor("manager")
    counters = [factory.user("staff"), factory.user("staff")]
    count_id = counts.open_count(location_id=shelf["shelf"].id, actor=manager).id
    bolts, place = shelf["bolts"].id, shelf["shelf"].id
    db.session.remove()

    def counter(user, qty, **mode):
        return lambda: (
            counts.record_line(
                count_id, item_id=bolts, location_id=place, counted=qty, actor=as_actor(user), **mode
            ).counted
        )

    results = race([counter(counters[0], 6), counter(counters[1], 7)], app=app)
    outcomes = sorted(type(r).__name__ if isinstance(r, Exception) else "counted" for r in results)
    assert outcomes == ["AlreadyCounted", "counted"]
    winner = next(r for r in results if not isinstance(r, Exception))
    line = next(line for line in counts.get_count(count_id).lines if line.item_id == bolts)
    assert line.counted == winner

    # Both adding at once: both entries count.
    race([counter(counters[0], 1, mode="add"), counter(counters[1], 2, mode="add")], app=app)
    db.session.expire_all()
    line = next(line for line in counts.get_count(count_id).lines if line.item_id == bolts)
    assert line.counted == winner + 3


@on_postgres
def test_approval_racing_withdrawals_loses_no_update(app, factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.user("manager")
    bolts, place = shelf["bolts"].id, shelf["shelf"].id
    count_id = counts.open_count(location_id=place, actor=as_actor(manager)).id
    counts.record_line(count_id, item_id=bolts, location_id=place, counted=9, actor=staff)  # -1
    counts.record_line(count_id, item_id=shelf["nuts"].id, location_id=place, counted=6, actor=staff)  # +2
    counts.submit(count_id, actor=staff)
    staff_id = staff.id
    db.session.remove()

    def withdraw(item_id):
        return lambda: stock.withdraw(item_id, 1, actor=db.session.get(User, staff_id), location_id=place).action

    calls = [lambda: counts.approve(count_id, actor=as_actor(manager)).state]
    calls += [withdraw(bolts), withdraw(shelf["nuts"].id)] * 3
    results = race(calls, app=app)
    assert results[0] == "approved", results
    assert all(r == "withdraw" for r in results[1:]), results
    db.session.expire_all()
    assert _level(bolts, place) == 10 - 1 - 3
    assert _level(shelf["nuts"].id, place) == 4 + 2 - 3
    _ledger_matches_levels(bolts)
    _ledger_matches_levels(shelf["nuts"].id)


@pytest.mark.parametrize(
    ("code", "error"),
    [("4006381333932", "invalid_gtin"), ("]d2010950600013435", "invalid_gs1")],
)
def test_a_broken_gtin_or_gs1_string_in_a_count_is_422_naming_the_item_field(factory, ctx, shelf, code, error):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    count = counts.open_count(location_id=shelf["shelf"].id, actor=manager)
    with pytest.raises(ValidationFailed) as refused:
        counts.record_code(count.id, code, location_id=shelf["shelf"].id, counted=1, actor=staff)
    assert refused.value.code == error
    assert list(refused.value.fields) == ["item"]
    assert all(line.counted is None for line in counts.get_count(count.id).lines)


@on_postgres
def test_a_lot_item_is_counted_per_lot_and_approval_adjusts_each_lot(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    place = shelf["shelf"]
    jam = factory.item(tracking="lot", location=place, sku="JAM-C")
    stock.restock(jam.id, 5, actor=manager, location_id=place.id, lot="A-1")
    stock.restock(jam.id, 3, actor=manager, location_id=place.id, lot="B-2")
    count = counts.open_count(location_id=place.id, item_ids=[jam.id], actor=manager)
    view = count_views.describe(count, manager)
    assert sorted((line["lot"], line["expected"]) for line in view["lines"]) == [("A-1", 5), ("B-2", 3)]

    with pytest.raises(ValidationFailed) as unknown:
        counts.record_line(count.id, item_id=jam.id, location_id=place.id, counted=1, actor=staff, lot="NOPE")
    assert list(unknown.value.fields) == ["lot"]
    with pytest.raises(ValidationFailed) as missing:
        counts.record_line(count.id, item_id=jam.id, location_id=place.id, counted=1, actor=staff)
    assert list(missing.value.fields) == ["lot"]

    counts.record_line(count.id, item_id=jam.id, location_id=place.id, counted=4, actor=staff, lot="A-1")
    counts.record_line(count.id, item_id=jam.id, location_id=place.id, counted=3, actor=staff, lot="B-2")
    counts.submit(count.id, actor=staff)
    counts.approve(count.id, actor=manager)

    assert _level(jam.id, place.id) == 7
    (log,) = _count_logs(count.id)
    assert (log.action, log.delta, log.lot_id) == ("adjust", -1, view["lines"][0]["lot_id"])
    _ledger_matches_levels(jam.id)


def test_a_gs1_scan_into_a_count_records_the_lot_it_carries(factory, ctx, shelf):
    staff, manager = factory.actor("staff"), factory.actor("manager")
    place = shelf["shelf"]
    jam = factory.item(tracking="lot", location=place, barcodes=["9506000134352"])
    stock.restock(jam.id, 5, actor=manager, location_id=place.id, lot="AB-12")
    count = counts.open_count(location_id=place.id, item_ids=[jam.id], actor=manager)
    line = counts.record_code(count.id, "(01)09506000134352(10)AB-12", location_id=place.id, counted=5, actor=staff)
    assert (line.item_id, line.counted, line.expected) == (jam.id, 5, 5)
    assert count_views.describe(counts.get_count(count.id), manager)["lines"][0]["lot"] == "AB-12"
