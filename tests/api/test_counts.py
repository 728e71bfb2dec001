"""/api/v1/counts: shapes, blind counts by every route, duplicates, bad input, double approval."""

from __future__ import annotations

import pytest

from tests.helpers.api import all_keys, error_of

pytestmark = pytest.mark.core

HIDDEN = {"expected", "variance", "variance_value", "total_variance_value", "variance_line_count"}


def _open(api, shelf, **extra):
    response = api.post("/api/v1/counts", {"location_id": shelf["site"].id, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _count(api, count_id, item, shelf, counted, role="staff", **extra):
    body = {"item_id": item.id, "location_id": shelf["shelf"].id, "counted": counted, **extra}
    return api.put(f"/api/v1/counts/{count_id}/lines", body, role=role)


def test_open_count_answers_201_with_its_lines(api, shelf):
    count = _open(api, shelf, blind=False)
    assert {k: count[k] for k in ("state", "blind", "location_name")} == {
        "state": "open",
        "blind": False,
        "location_name": "Site",
    }
    lines = {line["item_id"]: line for line in count["lines"]}
    assert set(lines) == {shelf["bolts"].id, shelf["nuts"].id}
    line = lines[shelf["bolts"].id]
    assert {k: line[k] for k in ("location_id", "expected", "counted", "variance", "counted_by", "counted_at")} == {
        "location_id": shelf["shelf"].id,
        "expected": 10,
        "counted": None,
        "variance": None,
        "counted_by": None,
        "counted_at": None,
    }


def test_count_narrowed_to_a_category(api, shelf):
    count = _open(api, shelf, category_id=shelf["category"].id)
    assert [line["item_id"] for line in count["lines"]] == [shelf["bolts"].id]


def test_blind_count_never_shows_staff_the_expected_quantities_by_any_route(api, shelf):
    count = _open(api, shelf, blind=True)
    answers = [
        _count(api, count["id"], shelf["bolts"], shelf, 7),
        api.get(f"/api/v1/counts/{count['id']}", role="staff"),
        api.get("/api/v1/counts", role="staff"),
        api.get(f"/api/v1/counts?state=open&location_id={shelf['site'].id}", role="staff"),
        api.post(f"/api/v1/counts/{count['id']}/submit", role="staff"),
    ]
    for response in answers:
        assert response.status_code == 200, response.get_json()
        assert not HIDDEN & all_keys(response.get_json()), response.get_json()
    duplicate = _count(api, count["id"], shelf["bolts"], shelf, 7)  # a refusal says nothing of them either
    assert not HIDDEN & all_keys(duplicate.get_json())
    managed = api.get(f"/api/v1/counts/{count['id']}").get_json()
    assert {line["item_id"]: line["variance"] for line in managed["lines"]}[shelf["bolts"].id] == -3
    assert managed["total_variance_value"] == -7.5  # 3 x 2.50


def test_counts_covering_a_location_are_those_of_it_or_a_place_above_it(api, shelf, factory):
    count = _open(api, shelf)
    other = factory.location("Elsewhere")

    def covering(location_id):
        answer = api.get(f"/api/v1/counts?state=open&covering={location_id}", role="staff")
        assert answer.status_code == 200, answer.get_json()
        return [c["id"] for c in answer.get_json()["items"]]

    assert covering(shelf["shelf"].id) == [count["id"]]  # the shelf is inside the counted store
    assert covering(shelf["site"].id) == [count["id"]]
    assert covering(other.id) == []
    assert covering(999_999) == []


def test_open_count_shows_staff_expected_quantities(api, shelf):
    count = _open(api, shelf)
    seen = api.get(f"/api/v1/counts/{count['id']}", role="staff").get_json()
    assert {line["expected"] for line in seen["lines"]} == {10, 4}


def test_duplicate_entry_is_409_already_counted_until_add_or_replace(api, shelf):
    count = _open(api, shelf)
    assert _count(api, count["id"], shelf["bolts"], shelf, 6).status_code == 200
    again = _count(api, count["id"], shelf["bolts"], shelf, 6)
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_counted"
    added = _count(api, count["id"], shelf["bolts"], shelf, 2, mode="add").get_json()
    assert {line["item_id"]: line["counted"] for line in added["lines"]}[shelf["bolts"].id] == 8
    replaced = _count(api, count["id"], shelf["bolts"], shelf, 10, mode="replace").get_json()
    line = {line["item_id"]: line for line in replaced["lines"]}[shelf["bolts"].id]
    assert (line["counted"], line["variance"], line["counted_by"].startswith("staff")) == (10, 0, True)


@pytest.mark.parametrize(
    ("counted", "status", "field"),
    [(-1, 422, "counted"), ("1.5", 422, "counted"), ("abc", 422, "counted"), (1_000_000_001, 422, "counted")],
)
def test_bad_quantities_are_422_naming_counted(api, shelf, counted, status, field):
    count = _open(api, shelf)
    response = _count(api, count["id"], shelf["bolts"], shelf, counted)
    assert response.status_code == status
    assert field in error_of(response)["fields"]


def test_bad_places_and_items_are_refused_clearly(api, shelf, factory):
    count = _open(api, shelf)
    outside = factory.location("Far away")
    body = {"item_id": shelf["bolts"].id, "counted": 1}
    for location_id in (outside.id, shelf["site"].id, 999_999):  # outside, structural, unknown
        response = api.put(f"/api/v1/counts/{count['id']}/lines", {**body, "location_id": location_id}, role="staff")
        assert response.status_code == 422 and "location_id" in error_of(response)["fields"]
    gone = factory.item(quantity=0, location=shelf["shelf"])
    assert api.delete(f"/api/v1/items/{gone.id}").status_code in (200, 204)
    response = api.put(
        f"/api/v1/counts/{count['id']}/lines",
        {"item_id": gone.id, "location_id": shelf["shelf"].id, "counted": 1},
        role="staff",
    )
    assert response.status_code == 409 and "item_id" in error_of(response)["fields"]
    assert api.get("/api/v1/counts/999999", role="staff").status_code == 404
    assert api.post("/api/v1/counts", {"location_id": 999_999}).status_code == 422


def test_counting_after_submit_is_409(api, shelf):
    count = _open(api, shelf)
    api.post(f"/api/v1/counts/{count['id']}/submit", role="staff")
    response = _count(api, count["id"], shelf["bolts"], shelf, 1)
    assert response.status_code == 409 and error_of(response)["code"] == "invalid_state"


def test_approve_applies_variance_with_count_id_in_the_ledger_and_twice_is_409(api, shelf):
    count = _open(api, shelf)
    _count(api, count["id"], shelf["bolts"], shelf, 7)
    assert api.post(f"/api/v1/counts/{count['id']}/submit", role="staff").status_code == 200
    approved = api.post(f"/api/v1/counts/{count['id']}/approve", {"zero_uncounted": False})
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    again = api.post(f"/api/v1/counts/{count['id']}/approve", {"zero_uncounted": True})
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_state"
    assert api.get(f"/api/v1/items/{shelf['nuts'].id}").get_json()["quantity"] == 4  # the second changed nothing
    logs = api.get(f"/api/v1/logs/item/{shelf['bolts'].id}").get_json()["items"]
    assert [(log["action"], log["delta"], log["count_id"]) for log in logs if log["count_id"]] == [
        ("adjust", -3, count["id"])
    ]


def test_recount_and_cancel(api, shelf):
    count = _open(api, shelf)
    detail = _count(api, count["id"], shelf["bolts"], shelf, 1).get_json()
    line_id = next(line["id"] for line in detail["lines"] if line["item_id"] == shelf["bolts"].id)
    api.post(f"/api/v1/counts/{count['id']}/submit", role="staff")
    reopened = api.post(f"/api/v1/counts/{count['id']}/recount", {"line_ids": [line_id]}).get_json()
    assert reopened["state"] == "open"
    assert api.post(f"/api/v1/counts/{count['id']}/recount", {"line_ids": [999_999]}).status_code == 422
    assert api.post(f"/api/v1/counts/{count['id']}/cancel").get_json()["state"] == "cancelled"
    assert api.post(f"/api/v1/counts/{count['id']}/cancel").status_code == 409


def test_approval_that_would_leave_a_negative_level_is_409_naming_the_line(api, shelf):
    count = _open(api, shelf)
    detail = _count(api, count["id"], shelf["nuts"], shelf, 0).get_json()  # 4 missing
    line_id = next(line["id"] for line in detail["lines"] if line["item_id"] == shelf["nuts"].id)
    withdrawn = api.post(
        f"/api/v1/items/{shelf['nuts'].id}/withdraw", {"quantity": 3, "location_id": shelf["shelf"].id}, role="staff"
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    api.post(f"/api/v1/counts/{count['id']}/submit", role="staff")
    refused = api.post(f"/api/v1/counts/{count['id']}/approve", {"zero_uncounted": False})
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "insufficient_stock" and f"line {line_id}" in error["message"]
    assert [(n["line_id"], n["quantity"], n["delta"]) for n in error["negative"]] == [(line_id, 1, -4)]
    assert api.get(f"/api/v1/counts/{count['id']}").get_json()["state"] == "submitted"


def test_managers_set_a_locations_count_frequency(api, shelf):
    path = f"/api/v1/locations/{shelf['shelf'].id}"
    changed = api.patch(path, {"count_frequency_days": 30})
    assert changed.status_code == 200 and changed.get_json()["count_frequency_days"] == 30
    assert api.patch(path, {"count_frequency_days": 0}).status_code == 422
    assert api.patch(path, {"count_frequency_days": 7}, role="staff").status_code == 403
    assert api.patch(path, {"count_frequency_days": None}).get_json()["count_frequency_days"] is None
