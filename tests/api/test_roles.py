"""The role matrix: every /api/v1 endpoint × anonymous, staff, manager, admin, from ONE table."""

from __future__ import annotations

import dataclasses

import pytest

from tests.helpers.api import PASSWORD, error_of, multipart_csv
from tests.helpers.world import World, build_world

pytestmark = pytest.mark.core

ROLES = (None, "staff", "manager", "admin")
OK = "allowed"  # neither 401 nor 403 (and, with the valid bodies below, a 2xx)

# Expected outcome for (anonymous, staff, manager, admin).
PUBLIC = (OK, OK, OK, OK)
SIGNED_IN = (401, OK, OK, OK)
STAFF_UP = (401, OK, OK, OK)
MANAGER_UP = (401, 403, OK, OK)

# (method, path template as in app.url_map, body builder or None, expected per role)
MATRIX = [
    ("GET", "/api/v1/openapi.json", None, PUBLIC),
    ("POST", "/api/v1/auth/login", lambda w: {"email": w.user_email, "password": PASSWORD}, PUBLIC),
    ("POST", "/api/v1/auth/refresh", lambda w: {"refresh_token": w.refresh_token}, PUBLIC),
    ("GET", "/api/v1/auth/me", None, SIGNED_IN),
    (
        "POST",
        "/api/v1/auth/register",
        lambda w: {"email": "new.person@example.com", "password": PASSWORD, "full_name": "New Person", "role": "staff"},
        MANAGER_UP,
    ),
    ("GET", "/api/v1/users", None, MANAGER_UP),
    ("GET", "/api/v1/users/<int:user_id>", None, MANAGER_UP),
    ("PATCH", "/api/v1/users/<int:user_id>", lambda w: {"full_name": "Renamed Person"}, MANAGER_UP),
    ("GET", "/api/v1/users/<int:user_id>/activity", None, MANAGER_UP),
    ("GET", "/api/v1/items", None, STAFF_UP),
    (
        "POST",
        "/api/v1/items",
        lambda w: {"sku": "NEW-1", "name": "New thing", "location_id": w.location_id},
        MANAGER_UP,
    ),
    ("GET", "/api/v1/items/<int:item_id>", None, STAFF_UP),
    (
        "PUT",
        "/api/v1/items/<int:item_id>",
        lambda w: {"sku": "SKU-PUT", "name": "Replaced", "location_id": w.location_id, "version": 1},
        MANAGER_UP,
    ),
    ("PATCH", "/api/v1/items/<int:item_id>", lambda w: {"description": "Edited by anyone", "version": 1}, STAFF_UP),
    ("DELETE", "/api/v1/items/<int:item_id>", None, MANAGER_UP),
    ("POST", "/api/v1/items/<int:item_id>/restock", lambda w: {"quantity": 2}, STAFF_UP),
    ("POST", "/api/v1/items/<int:item_id>/withdraw", lambda w: {"quantity": 2}, STAFF_UP),
    (
        "POST",
        "/api/v1/items/<int:item_id>/transfer",
        lambda w: {"from_location_id": w.location_id, "to_location_id": w.location2_id, "quantity": 2},
        STAFF_UP,
    ),
    (
        "POST",
        "/api/v1/items/<int:item_id>/adjust",
        lambda w: {"location_id": w.location_id, "counted_quantity": 7, "note": "Stock-take"},
        MANAGER_UP,
    ),
    ("GET", "/api/v1/logs/item/<int:item_id>", None, STAFF_UP),
    # Traceability (issue 27): the world has a lot (lot_id) and a serial item with one unit.
    ("GET", "/api/v1/items/<int:item_id>/lots", None, STAFF_UP),
    ("PATCH", "/api/v1/lots/<int:lot_id>", lambda w: {"status": "blocked"}, MANAGER_UP),
    ("GET", "/api/v1/lots/<int:lot_id>/trace", None, STAFF_UP),
    ("GET", "/api/v1/items/<int:item_id>/serials", None, STAFF_UP),
    ("GET", "/api/v1/items/<int:item_id>/serials/<serial>", None, STAFF_UP),
    ("GET", "/api/v1/categories", None, STAFF_UP),
    ("POST", "/api/v1/categories", lambda w: {"name": "Brand new category"}, MANAGER_UP),
    ("PUT", "/api/v1/categories/<int:category_id>", lambda w: {"name": "Renamed category"}, MANAGER_UP),
    ("DELETE", "/api/v1/categories/<int:category_id>", None, MANAGER_UP),
    ("GET", "/api/v1/locations", None, STAFF_UP),
    ("POST", "/api/v1/locations", lambda w: {"name": "Brand new location", "address": "1 Road"}, MANAGER_UP),
    ("GET", "/api/v1/locations/<int:location_id>", None, STAFF_UP),
    ("PUT", "/api/v1/locations/<int:location_id>", lambda w: {"name": "Renamed location"}, MANAGER_UP),
    ("PATCH", "/api/v1/locations/<int:location_id>", lambda w: {"description": "Cold store"}, MANAGER_UP),
    ("DELETE", "/api/v1/locations/<int:location_id>", None, MANAGER_UP),
    ("GET", "/api/v1/logs", None, MANAGER_UP),
    ("POST", "/api/v1/imports", None, MANAGER_UP),
    ("GET", "/api/v1/imports/<int:import_id>", None, MANAGER_UP),
    (
        "PUT",
        "/api/v1/imports/<int:import_id>/mapping",
        lambda w: {"mapping": {"SKU": "sku", "Name": "name", "Location": "location"}},
        MANAGER_UP,
    ),
    ("GET", "/api/v1/imports/<int:import_id>/errors.csv", None, MANAGER_UP),
    ("POST", "/api/v1/imports/<int:import_id>/run", lambda w: {"on_error": "stop"}, MANAGER_UP),
    ("POST", "/api/v1/imports/<int:import_id>/cancel", None, MANAGER_UP),
    ("GET", "/api/v1/items/export", None, MANAGER_UP),
    ("GET", "/api/v1/logs/export", None, MANAGER_UP),
    ("GET", "/api/v1/items/<int:item_id>/history/export", None, MANAGER_UP),
    ("GET", "/api/v1/stock/export", None, MANAGER_UP),
    ("GET", "/api/v1/alerts", None, MANAGER_UP),
    ("PATCH", "/api/v1/alerts/<int:alert_id>/acknowledge", None, MANAGER_UP),
    ("GET", "/api/v1/dashboard/summary", None, STAFF_UP),
    ("GET", "/api/v1/scan?code=I<int:item_id>", None, STAFF_UP),
    (
        "POST",
        "/api/v1/scan/batches",
        lambda w: {
            "mode": "move",
            "from_location_id": w.location_id,
            "to_location_id": w.location2_id,
            "lines": [{"item_id": w.item_id, "quantity": 1}],
        },
        STAFF_UP,
    ),
    ("GET", "/api/v1/labels/items.pdf?ids=<int:item_id>", None, STAFF_UP),
    ("GET", "/api/v1/labels/locations.pdf?ids=<int:location_id>&subtree=true", None, STAFF_UP),
    ("GET", "/api/v1/dashboard/category-breakdown", None, STAFF_UP),
    # Carts and requests: the world gives the caller a cart line and their own submitted request.
    ("GET", "/api/v1/carts/current/lines", None, STAFF_UP),
    ("POST", "/api/v1/carts/current/lines", lambda w: {"item_id": w.item_id, "quantity": 1}, STAFF_UP),
    ("DELETE", "/api/v1/carts/current/lines", None, STAFF_UP),
    ("PATCH", "/api/v1/carts/current/lines/<int:line_id>", lambda w: {"quantity": 2}, STAFF_UP),
    ("DELETE", "/api/v1/carts/current/lines/<int:line_id>", None, STAFF_UP),
    ("POST", "/api/v1/carts/current/submit", lambda w: {"kind": "pick"}, STAFF_UP),
    ("GET", "/api/v1/requests", None, STAFF_UP),
    ("GET", "/api/v1/requests/<int:request_id>", None, STAFF_UP),
    ("POST", "/api/v1/requests/<int:request_id>/approve", None, MANAGER_UP),
    ("POST", "/api/v1/requests/<int:request_id>/reject", lambda w: {"reason": "Not needed"}, MANAGER_UP),
    ("POST", "/api/v1/requests/<int:request_id>/cancel", lambda w: {}, STAFF_UP),
    ("POST", "/api/v1/requests/<int:request_id>/fulfil", lambda w: {}, STAFF_UP),
    # Purchasing: staff see suppliers and orders and receive; managers buy.
    ("GET", "/api/v1/suppliers", None, STAFF_UP),
    ("POST", "/api/v1/suppliers", lambda w: {"name": "Brand new supplier"}, MANAGER_UP),
    ("GET", "/api/v1/suppliers/<int:supplier_id>", None, STAFF_UP),
    ("PATCH", "/api/v1/suppliers/<int:supplier_id>", lambda w: {"lead_time_days": 9}, MANAGER_UP),
    ("DELETE", "/api/v1/suppliers/<int:supplier_id>", None, MANAGER_UP),
    ("GET", "/api/v1/items/<int:item_id>/suppliers", None, STAFF_UP),
    ("POST", "/api/v1/items/<int:item_id>/suppliers", lambda w: {"supplier_id": w.spare_supplier_id}, MANAGER_UP),
    ("PATCH", "/api/v1/items/<int:item_id>/suppliers/<int:supplier_id>", lambda w: {"pack_size": 10}, MANAGER_UP),
    ("DELETE", "/api/v1/items/<int:item_id>/suppliers/<int:supplier_id>", None, MANAGER_UP),
    ("GET", "/api/v1/purchasing/suggestions", None, MANAGER_UP),
    ("GET", "/api/v1/purchase-orders", None, STAFF_UP),
    (
        "POST",
        "/api/v1/purchase-orders",
        lambda w: {"supplier_id": w.supplier_id, "lines": [{"item_id": w.item_id, "quantity": 1}]},
        MANAGER_UP,
    ),
    ("POST", "/api/v1/purchase-orders/from-suggestions", lambda w: {"item_ids": [w.low_item_id]}, MANAGER_UP),
    ("GET", "/api/v1/purchase-orders/<int:order_id>", None, STAFF_UP),
    ("PATCH", "/api/v1/purchase-orders/<int:order_id>", lambda w: {"note": "Edited draft"}, MANAGER_UP),
    ("POST", "/api/v1/purchase-orders/<int:order_id>/send", None, MANAGER_UP),
    ("POST", "/api/v1/purchase-orders/<int:order_id>/cancel", None, MANAGER_UP),
    (
        "POST",
        "/api/v1/purchase-orders/<int:order_id>/receive",
        lambda w: {"lines": [{"line_id": w.order_line_id, "quantity": 2, "location_id": w.location_id}]},
        STAFF_UP,
    ),
    ("GET", "/api/v1/purchase-orders/<int:order_id>.pdf", None, STAFF_UP),
    # Stock counts: the world has an open count of location_id and a submitted one of location2_id.
    ("GET", "/api/v1/counts", None, STAFF_UP),
    ("POST", "/api/v1/counts", lambda w: {"location_id": w.spare_location_id, "blind": True}, MANAGER_UP),
    ("GET", "/api/v1/counts/<int:count_id>", None, STAFF_UP),
    (
        "PUT",
        "/api/v1/counts/<int:count_id>/lines",
        lambda w: {"item_id": w.item_id, "location_id": w.location_id, "counted": 9},
        STAFF_UP,
    ),
    ("POST", "/api/v1/counts/<int:count_id>/submit", None, STAFF_UP),
    ("POST", "/api/v1/counts/<int:count_id>/recount", lambda w: {"line_ids": [w.count_line_id]}, MANAGER_UP),
    ("POST", "/api/v1/counts/<int:count_id>/approve", lambda w: {"zero_uncounted": False}, MANAGER_UP),
    ("POST", "/api/v1/counts/<int:count_id>/cancel", None, MANAGER_UP),
]

# Multipart bodies (uploads), by (method, template).
MULTIPART = {("POST", "/api/v1/imports"): lambda w: multipart_csv("SKU,Name\nR-1,Role check\n")}

# DELETE of a category/location that holds items is a 409; point those rows at empty ones.
SPARE_IDS = {
    ("GET", "/api/v1/items/<int:item_id>/serials/<serial>"): {"item_id": "serial_item_id"},
    ("DELETE", "/api/v1/categories/<int:category_id>"): {"category_id": "spare_category_id"},
    ("DELETE", "/api/v1/locations/<int:location_id>"): {"location_id": "spare_location_id"},
    ("POST", "/api/v1/requests/<int:request_id>/fulfil"): {"request_id": "approved_request_id"},
    ("DELETE", "/api/v1/suppliers/<int:supplier_id>"): {"supplier_id": "spare_supplier_id"},
    ("POST", "/api/v1/purchase-orders/<int:order_id>/receive"): {"order_id": "sent_order_id"},
    ("POST", "/api/v1/counts/<int:count_id>/recount"): {"count_id": "submitted_count_id"},
    ("POST", "/api/v1/counts/<int:count_id>/approve"): {"count_id": "submitted_count_id"},
}


def _path(method: str, template: str, world) -> str:
    args = world.path_args()
    for name, attr in SPARE_IDS.get((method, template), {}).items():
        args[name] = getattr(world, attr)
    path = template.replace("<serial>", world.serial)
    for name, value in args.items():
        path = path.replace(f"<int:{name}>", str(value))
    assert "<" not in path, f"no id for {template}"
    return path


def _placeholder_world() -> World:
    return World(**{f.name: 1 if f.type in (int, "int") else "nobody@example.com" for f in dataclasses.fields(World)})


def test_matrix_covers_every_api_endpoint(app):
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    rows = [(method, template.split("?")[0]) for method, template, _body, _expected in MATRIX]
    assert len(rows) == len(set(rows)), "a row appears twice"
    assert rules - set(rows) == set(), "endpoints with no row in MATRIX"
    assert set(rows) - rules == set(), "rows for endpoints that do not exist"


CASES = [
    pytest.param(method, template, body, role, expected[index], id=f"{method} {template} as {role or 'anonymous'}")
    for method, template, body, expected in MATRIX
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "template", "body", "role", "expected"), CASES)
def test_role_matrix(app, factory, api, method, template, body, role, expected):
    caller = api.users.get(role) if role else None
    if role:
        api.as_(role)
        caller = api.users[role]
    # The role check runs before any lookup, so a refusal needs no real objects behind the ids.
    world = build_world(app, factory, actor=caller) if expected == OK else _placeholder_world()
    if (method, template) in MULTIPART:
        sent = {"data": MULTIPART[(method, template)](world)}
    else:
        sent = {"json": body(world) if body else None}
    response = api.call(method, _path(method, template, world), role, **sent)
    if expected == OK:
        assert response.status_code not in (401, 403), response.get_json()
        assert 200 <= response.status_code < 300, response.get_json()
    else:
        assert response.status_code == expected, response.get_json()
        error = error_of(response)
        assert error["code"] == {401: "unauthorized", 403: "forbidden"}[expected]
