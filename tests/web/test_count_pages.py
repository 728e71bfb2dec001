"""Stock count pages: open, count (duplicates ask add or replace), blind for staff, review, approve."""

from __future__ import annotations

import re

import pytest

from app.services import stock

pytestmark = pytest.mark.core


def _open(manager, shelf, **extra):
    response = manager.post("/counts", {"location_id": shelf["site"].id, **extra})
    assert response.status_code == 302, response.text
    return int(re.search(r"/counts/(\d+)", response.headers["Location"]).group(1))


def test_manager_opens_a_blind_count_and_staff_never_see_expected(as_role, shelf):
    manager, staff = as_role("manager"), as_role("staff")
    count_id = _open(manager, shelf, blind="y")
    page = staff.get(f"/counts/{count_id}")
    assert page.status_code == 200
    assert "Hex bolt" in page.text and "Expected" not in page.text and "Variance" not in page.text
    response = staff.post(
        f"/counts/{count_id}/lines", {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "7"}
    )
    assert response.status_code == 302
    for path in (f"/counts/{count_id}", f"/counts/{count_id}/lines", "/counts"):
        text = staff.get(path).text
        assert "Expected" not in text and ">-3<" not in text and "10 pcs" not in text
    assert staff.get(f"/counts/{count_id}/review").status_code == 403
    review = manager.get(f"/counts/{count_id}/review").text
    assert ">-3<" in review and "Total variance value" in review


def test_a_second_entry_asks_add_or_replace(as_role, shelf):
    manager, staff = as_role("manager"), as_role("staff")
    count_id = _open(manager, shelf)
    entry = {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "6"}
    assert staff.post(f"/counts/{count_id}/lines", entry).status_code == 302
    again = staff.post(f"/counts/{count_id}/lines", entry)
    assert again.status_code == 409
    assert "Already counted." in again.text and "Add 6 to it" in again.text and "Replace it with 6" in again.text
    assert staff.post(f"/counts/{count_id}/lines", {**entry, "mode": "add"}).status_code == 302
    assert "12 pcs" in staff.get(f"/counts/{count_id}/lines").text


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"counted": "-1"}, "Enter a quantity from 0"),
        ({"counted": "1.5"}, "whole numbers only"),
        ({"item": "NOPE-404"}, "names no item"),
        ({"counted": ""}, "Enter a quantity."),
    ],
)
def test_bad_entries_are_shown_next_to_the_field(as_role, shelf, entry, message):
    manager, staff = as_role("manager"), as_role("staff")
    count_id = _open(manager, shelf)
    body = {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "6", **entry}
    response = staff.post(f"/counts/{count_id}/lines", body)
    assert response.status_code == 422
    assert message in response.text


def test_review_lists_variances_first_and_approves_with_not_counted_as_zero(as_role, shelf):
    manager, staff = as_role("manager"), as_role("staff")
    count_id = _open(manager, shelf)
    staff.post(f"/counts/{count_id}/lines", {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "8"})
    assert staff.post(f"/counts/{count_id}/submit").status_code == 302
    review = manager.get(f"/counts/{count_id}/review").text
    headings = [review.index(f'id="{name}-heading"') for name in ("variances", "uncounted", "exact")]
    assert headings == sorted(headings)
    assert "-$5.00" in review  # 2 x 2.50
    done = manager.post(f"/counts/{count_id}/approve", {"zero_uncounted": "y"}, follow_redirects=True)
    assert "approved: the differences were adjusted" in done.text
    again = manager.post(f"/counts/{count_id}/approve", {}, follow_redirects=True)
    assert "only a submitted count can be approved" in again.text
    item_page = manager.get(f"/items/{shelf['nuts'].id}").text
    assert "Wing nut" in item_page


def test_recount_and_cancel_from_the_review(as_role, shelf):
    manager, staff = as_role("manager"), as_role("staff")
    count_id = _open(manager, shelf)
    staff.post(f"/counts/{count_id}/lines", {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "1"})
    staff.post(f"/counts/{count_id}/submit")
    review = manager.get(f"/counts/{count_id}/review").text
    line_id = re.search(r'name="line_ids" value="(\d+)"', review).group(1)
    done = manager.post(f"/counts/{count_id}/recount", {"line_ids": line_id}, follow_redirects=True)
    assert "sent back for a recount" in done.text
    cancelled = manager.post(f"/counts/{count_id}/cancel", follow_redirects=True)
    assert "cancelled; nothing changed" in cancelled.text


def test_opening_an_overlapping_count_is_refused_next_to_the_location(as_role, shelf):
    manager = as_role("manager")
    _open(manager, shelf)
    response = manager.post("/counts", {"location_id": shelf["shelf"].id})
    assert response.status_code == 422
    assert "covers this location" in response.text
    assert "No such item: NOPE" in manager.post("/counts", {"location_id": shelf["shelf"].id, "skus": "NOPE"}).text


def test_dashboard_reports_and_locations_show_cycle_counting(as_role, shelf):
    manager, staff = as_role("manager"), as_role("staff")
    edited = manager.post(
        f"/locations/{shelf['shelf'].id}/edit",
        {"name": "Shelf A", "parent_id": shelf["site"].id, "count_frequency_days": "7"},
    )
    assert edited.status_code == 302
    assert (
        "Enter a number of days from 1"
        in manager.post(
            f"/locations/{shelf['shelf'].id}/edit",
            {"name": "Shelf A", "parent_id": shelf["site"].id, "count_frequency_days": "0"},
        ).text
    )
    dashboard = staff.get("/dashboard").text
    assert "Counts due" in dashboard and 'data-stat="counts_overdue">1<' in dashboard  # never counted: due now
    count_id = _open(manager, shelf)
    staff.post(f"/counts/{count_id}/lines", {"item": "BOLT-1", "location_id": shelf["shelf"].id, "counted": "9"})
    staff.post(f"/counts/{count_id}/lines", {"item": "NUT-1", "location_id": shelf["shelf"].id, "counted": "4"})
    staff.post(f"/counts/{count_id}/submit")
    manager.post(f"/counts/{count_id}/approve", {})
    report = manager.get("/reports").text
    assert "Stock count accuracy" in report and "50.0%" in report and "-$2.50" in report


def test_a_lot_item_is_counted_per_lot_on_the_count_page(as_role, shelf, factory, app):
    manager, staff = as_role("manager"), as_role("staff")
    jam = factory.item(tracking="lot", location=shelf["shelf"], sku="JAM-P", name="Jam pot")
    with app.app_context():
        stock.restock(jam.id, 5, actor=factory.actor("manager"), location_id=shelf["shelf"].id, lot="L-9")
    count_id = _open(manager, shelf)
    assert "Lot L-9" in staff.get(f"/counts/{count_id}").text
    entry = {"item": "JAM-P", "location_id": shelf["shelf"].id, "counted": "4"}
    unknown = staff.post(f"/counts/{count_id}/lines", {**entry, "lot": "NOPE"})
    assert unknown.status_code == 422 and "No lot" in unknown.text
    assert staff.post(f"/counts/{count_id}/lines", {**entry, "lot": "L-9"}).status_code == 302
    assert "4 pcs" in staff.get(f"/counts/{count_id}/lines").text
