"""Hostile input is a 422 (or 413) naming the field, never a 500: NUL bytes, lone surrogates,
time-zone offsets PostgreSQL cannot store, JSON nested 1,000 deep, oversized bodies."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.core


def assert_names(response, field: str, status: int = 422) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert field in error.get("fields", {}), error
    return error


def test_nul_byte_in_a_search_is_422_naming_it(api):
    assert_names(api.get("/api/v1/items?search=ham%00mer"), "search")


def test_nul_byte_in_a_new_items_name_is_422_naming_it_and_saves_nothing(api, factory):
    location = factory.location()
    response = api.post("/api/v1/items", {"sku": "NUL-1", "name": "Ham\x00mer", "location_id": location.id})
    error = assert_names(response, "name")
    assert "NUL" in str(error["fields"]["name"])
    assert api.get("/api/v1/items").get_json()["total"] == 0


def test_nul_byte_in_a_movement_note_is_422_naming_it(api, factory):
    item = factory.item(quantity=3)
    response = api.post(f"/api/v1/items/{item.id}/restock", {"quantity": 1, "note": "box\x00"})
    assert_names(response, "note")
    assert api.get(f"/api/v1/items/{item.id}").get_json()["quantity"] == 3


def test_nul_byte_in_the_login_email_is_422_naming_it(api):
    response = api.post("/api/v1/auth/login", {"email": "a\x00@example.com", "password": "x"}, role=None)
    assert_names(response, "email")


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59"])
def test_time_zone_offset_beyond_1559_in_a_date_filter_is_422(api, offset):
    response = api.get("/api/v1/logs", query_string={"since": f"2026-01-01T00:00:00{offset}"})
    assert_names(response, "since")


def test_the_widest_offsets_postgresql_stores_are_accepted(api):
    for offset in ("+15:59", "-15:59"):
        assert api.get("/api/v1/logs", query_string={"until": f"2026-01-01T00:00:00{offset}"}).status_code == 200


def test_lone_surrogate_in_json_is_422_naming_the_field(api, factory):
    location = factory.location()
    body = '{"sku": "SUR-1", "name": "bad \\ud800 name", "location_id": ' + str(location.id) + "}"
    response = api.call("POST", "/api/v1/items", "manager", data=body, headers={"Content-Type": "application/json"})
    assert_names(response, "name")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_a_thousand_deep_is_422_naming_the_body(api, depth):
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = api.call("POST", "/api/v1/items", "manager", data=body, headers={"Content-Type": "application/json"})
    assert_names(response, "body")


def test_json_nested_past_the_limit_names_the_field_it_is_under(api):
    body = '{"name": ' + "[" * 40 + "]" * 40 + "}"
    response = api.call("POST", "/api/v1/items", "manager", data=body, headers={"Content-Type": "application/json"})
    assert_names(response, "name")


def test_oversized_body_is_413_saying_so(api):
    body = '{"name": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = api.call("POST", "/api/v1/items", "manager", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large" and "body" in error.get("fields", {})


def test_nul_byte_in_a_path_or_a_parameter_name_is_never_a_500(api):
    assert api.get("/vendor/htmx.org/htmx%00.min.js", role=None).status_code == 404
    assert api.get("/api/v1/items?se%00arch=1").status_code in (200, 422)


def test_a_json_write_without_a_body_is_422_not_a_silent_200(api, factory):
    user = factory.user("staff")
    item = factory.item(quantity=1)
    for method, path in (("PATCH", f"/api/v1/users/{user.id}"), ("PATCH", f"/api/v1/items/{item.id}")):
        response = api.call(method, path, "admin")
        assert_names(response, "body")
        response = api.call(method, path, "admin", data="{}", headers={"Content-Type": "text/plain"})
        assert_names(response, "body")
    assert api.call("PATCH", f"/api/v1/users/{user.id}", "admin", json={}).status_code == 200  # an empty change is fine


def test_a_role_check_still_comes_before_the_missing_body(api, factory):
    user = factory.user("staff")
    assert api.call("PATCH", f"/api/v1/users/{user.id}", None).status_code == 401
    assert api.call("PATCH", f"/api/v1/users/{user.id}", "staff").status_code == 403
