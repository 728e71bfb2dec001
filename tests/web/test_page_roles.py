"""The page matrix: every page route × anonymous, staff, manager, admin, from ONE table.

Like tests/api/test_roles.py for the API: the table is checked against the URL map
(a new page without a row fails), against app/permissions.py (a row that disagrees
with its view's @require fails), and then every cell is requested.
"""

from __future__ import annotations

import dataclasses

import pytest

from app.permissions import ROLE_PERMISSIONS
from tests.helpers.pages import PageClient, csrf_from
from tests.helpers.world import World, build_world

ROLES = (None, "staff", "manager", "admin")
OK = "allowed"  # neither 401 nor 403, no detour to the login form, and never a 5xx
LOGIN = "login"  # sent to the login form

# Expected outcome for (anonymous, staff, manager, admin).
PUBLIC = (OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK)
MANAGER_UP = (LOGIN, 403, OK, OK)
ADMIN_ONLY = (LOGIN, 403, 403, OK)

# (method, rule as in app.url_map, expected per role)
PAGE_MATRIX = [
    ("GET", "/", PUBLIC),  # a redirect to the dashboard
    ("GET", "/login", PUBLIC),
    ("POST", "/login", PUBLIC),
    ("POST", "/logout", PUBLIC),
    ("GET", "/health", PUBLIC),
    ("GET", "/health/live", PUBLIC),
    ("GET", "/metrics", PUBLIC),  # limited by network, not by role; the test client is loopback
    ("GET", "/docs", PUBLIC),
    ("GET", "/favicon.ico", PUBLIC),
    ("GET", "/static/<path:filename>", PUBLIC),
    ("GET", "/vendor/<path:filename>", PUBLIC),
    ("GET", "/dashboard", SIGNED_IN),
    ("GET", "/dashboard/figures", SIGNED_IN),
    ("GET", "/dashboard/charts", SIGNED_IN),
    ("GET", "/items", SIGNED_IN),
    ("GET", "/items/<int:item_id>", SIGNED_IN),
    ("GET", "/items/options", SIGNED_IN),
    ("GET", "/items/new", MANAGER_UP),
    ("POST", "/items/new", MANAGER_UP),
    ("GET", "/items/<int:item_id>/edit", SIGNED_IN),  # staff get the short form
    ("POST", "/items/<int:item_id>/edit", SIGNED_IN),
    ("GET", "/items/<int:item_id>/delete", MANAGER_UP),
    ("POST", "/items/<int:item_id>/delete", MANAGER_UP),
    ("POST", "/items/<int:item_id>/quick", SIGNED_IN),
    ("POST", "/items/<int:item_id>/restock", SIGNED_IN),
    ("POST", "/items/<int:item_id>/withdraw", SIGNED_IN),
    ("POST", "/items/<int:item_id>/transfer", SIGNED_IN),
    ("POST", "/items/<int:item_id>/adjust", MANAGER_UP),
    ("GET", "/scan", SIGNED_IN),
    ("GET", "/s/I<int:item_id>", SIGNED_IN),  # a redirect to the item's page
    ("GET", "/s/L<int:location_id>", SIGNED_IN),  # a redirect to the location's page
    ("GET", "/categories", SIGNED_IN),
    ("POST", "/categories", MANAGER_UP),
    ("GET", "/categories/<int:obj_id>/edit", MANAGER_UP),
    ("POST", "/categories/<int:obj_id>/edit", MANAGER_UP),
    ("POST", "/categories/<int:obj_id>/delete", MANAGER_UP),
    ("GET", "/locations", SIGNED_IN),
    ("GET", "/locations/<int:obj_id>", SIGNED_IN),
    ("GET", "/locations/options", SIGNED_IN),
    ("GET", "/locations/<int:obj_id>/children", SIGNED_IN),
    ("POST", "/locations", MANAGER_UP),
    ("GET", "/locations/<int:obj_id>/edit", MANAGER_UP),
    ("POST", "/locations/<int:obj_id>/edit", MANAGER_UP),
    ("POST", "/locations/<int:obj_id>/delete", MANAGER_UP),
    ("GET", "/alerts", MANAGER_UP),
    ("POST", "/alerts/<int:alert_id>/acknowledge", MANAGER_UP),
    ("GET", "/activity", MANAGER_UP),
    ("GET", "/backups", MANAGER_UP),
    ("POST", "/backups/run", ADMIN_ONLY),
    ("POST", "/reports/generate", MANAGER_UP),
    ("GET", "/reports", MANAGER_UP),
    ("GET", "/imports", MANAGER_UP),
    ("POST", "/imports", MANAGER_UP),
    ("GET", "/imports/<int:import_id>", MANAGER_UP),
    ("POST", "/imports/<int:import_id>/mapping", MANAGER_UP),
    ("POST", "/imports/<int:import_id>/run", MANAGER_UP),
    ("POST", "/imports/<int:import_id>/cancel", MANAGER_UP),
    ("GET", "/reports/<int:report_id>.csv", MANAGER_UP),
    ("GET", "/outbox", ADMIN_ONLY),
    ("GET", "/cart", SIGNED_IN),
    ("POST", "/cart/add", SIGNED_IN),
    ("POST", "/cart/clear", SIGNED_IN),
    ("POST", "/cart/lines/<int:line_id>", SIGNED_IN),
    ("POST", "/cart/lines/<int:line_id>/remove", SIGNED_IN),
    ("POST", "/cart/submit", SIGNED_IN),
    ("GET", "/requests", SIGNED_IN),
    ("GET", "/requests/<int:request_id>", SIGNED_IN),
    ("POST", "/requests/<int:request_id>/approve", MANAGER_UP),
    ("POST", "/requests/<int:request_id>/reject", MANAGER_UP),
    ("POST", "/requests/<int:request_id>/cancel", SIGNED_IN),
    ("POST", "/requests/<int:request_id>/fulfil", SIGNED_IN),
    ("GET", "/purchasing/suppliers", SIGNED_IN),
    ("POST", "/purchasing/suppliers", MANAGER_UP),
    ("GET", "/purchasing/suppliers/options", SIGNED_IN),
    ("GET", "/purchasing/suppliers/<int:supplier_id>", SIGNED_IN),
    ("POST", "/purchasing/suppliers/<int:supplier_id>", MANAGER_UP),
    ("POST", "/purchasing/suppliers/<int:supplier_id>/delete", MANAGER_UP),
    ("POST", "/purchasing/items/<int:item_id>/policy", MANAGER_UP),
    ("POST", "/purchasing/items/<int:item_id>/offers", MANAGER_UP),
    ("POST", "/purchasing/items/<int:item_id>/offers/<int:supplier_id>/prefer", MANAGER_UP),
    ("POST", "/purchasing/items/<int:item_id>/offers/<int:supplier_id>/delete", MANAGER_UP),
    ("GET", "/purchasing/suggestions", MANAGER_UP),
    ("POST", "/purchasing/suggestions", MANAGER_UP),
    ("GET", "/purchasing/orders", SIGNED_IN),
    ("POST", "/purchasing/orders", MANAGER_UP),
    ("GET", "/purchasing/orders/<int:order_id>", SIGNED_IN),
    ("POST", "/purchasing/orders/<int:order_id>", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/lines", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/lines/<int:line_id>/delete", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/send", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/cancel", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/over-receipt", MANAGER_UP),
    ("POST", "/purchasing/orders/<int:order_id>/receive", SIGNED_IN),
    ("POST", "/purchasing/orders/<int:order_id>/scan-receive", SIGNED_IN),
    ("GET", "/counts", SIGNED_IN),
    ("POST", "/counts", MANAGER_UP),
    ("GET", "/counts/<int:count_id>", SIGNED_IN),
    ("GET", "/counts/<int:count_id>/lines", SIGNED_IN),  # the lines table the counting page reloads
    ("POST", "/counts/<int:count_id>/lines", SIGNED_IN),
    ("POST", "/counts/<int:count_id>/submit", SIGNED_IN),
    ("GET", "/counts/<int:count_id>/review", MANAGER_UP),
    ("POST", "/counts/<int:count_id>/recount", MANAGER_UP),
    ("POST", "/counts/<int:count_id>/approve", MANAGER_UP),
    ("POST", "/counts/<int:count_id>/cancel", MANAGER_UP),
    ("GET", "/lots/<int:lot_id>", SIGNED_IN),  # the recall page (issue 27)
    ("POST", "/lots/<int:lot_id>/block", MANAGER_UP),
    ("GET", "/lots/<int:lot_id>/trace.csv", SIGNED_IN),
    ("GET", "/lots/<int:lot_id>/label.pdf", SIGNED_IN),
    ("GET", "/users", MANAGER_UP),
    ("POST", "/users", MANAGER_UP),
    ("GET", "/users/<int:user_id>", MANAGER_UP),
    ("POST", "/users/<int:user_id>/role", MANAGER_UP),
    ("POST", "/users/<int:user_id>/active", MANAGER_UP),
]

FILENAMES = {"/static/<path:filename>": "css/app.css", "/vendor/<path:filename>": "htmx.org/htmx.min.js"}


def _page_rules(app) -> dict[tuple[str, str], str]:
    return {
        (method, rule.rule): rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_matrix_covers_every_page_route(app):
    rules = set(_page_rules(app))
    rows = [(method, rule) for method, rule, _expected in PAGE_MATRIX]
    assert len(rows) == len(set(rows)), "a row appears twice"
    assert rules - set(rows) == set(), "page routes with no row in PAGE_MATRIX"
    assert set(rows) - rules == set(), "rows for routes that do not exist"


def test_matrix_agrees_with_each_views_required_permission(app):
    endpoints = _page_rules(app)
    for method, rule, expected in PAGE_MATRIX:
        permission = getattr(app.view_functions[endpoints[(method, rule)]], "required_permission", None)
        if permission is None:
            assert expected == PUBLIC, f"{method} {rule} has no @require but its row is not PUBLIC"
            continue
        granted = tuple(OK if permission in ROLE_PERMISSIONS[role] else 403 for role in ROLES[1:])
        assert expected == (LOGIN, *granted), f"{method} {rule}: row disagrees with @require({permission})"


def _path(rule: str, world: World) -> str:
    args = {
        "item_id": world.item_id,
        "alert_id": world.alert_id,
        "line_id": world.cart_line_id,
        "request_id": world.approved_request_id if rule.endswith("/fulfil") else world.request_id,
        "user_id": world.user_id,
        "report_id": 1,
        "location_id": world.location_id,
        "import_id": world.import_id,
        "supplier_id": world.supplier_id,
        "order_id": world.sent_order_id if rule.endswith("receive") else world.order_id,
        "lot_id": world.lot_id,
        "count_id": world.submitted_count_id if rule.endswith(("/approve", "/recount")) else world.count_id,
        # Deleting a category or location that holds items is refused; point at empty ones.
        "obj_id": world.spare_category_id if rule.startswith("/categories") else world.spare_location_id,
    }
    path = rule.replace("<path:filename>", FILENAMES.get(rule, ""))
    for name, value in args.items():
        path = path.replace(f"<int:{name}>", str(value))
    assert "<" not in path, f"no value for {rule}"
    return path


def _placeholder_world() -> World:
    return World(**{f.name: 1 if f.type in (int, "int") else "nobody@example.com" for f in dataclasses.fields(World)})


CASES = [
    pytest.param(method, rule, role, expected[index], row == PUBLIC, id=f"{method} {rule} as {role or 'anonymous'}")
    for method, rule, row in PAGE_MATRIX
    for expected in [row]
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "rule", "role", "expected", "public"), CASES)
def test_page_matrix(app, factory, as_role, method, rule, role, expected, public):
    if role is None:
        client = PageClient(app.test_client())
        client.token = csrf_from(client.get("/login").text)
        caller = None
    else:
        client = as_role(role)
        caller = client.user
    world = build_world(app, factory, actor=caller) if expected == OK and caller else _placeholder_world()
    if rule == "/reports/<int:report_id>.csv" and expected == OK:
        from app.services import reports

        with app.app_context():
            reports.create_valuation_report()
    path = _path(rule, world)
    response = client.get(path) if method == "GET" else client.post(path)
    response.close()  # static files stream
    login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
    if expected == OK:
        # A public route may well end at the login form (logging out does); no role is checked there.
        assert response.status_code not in (401, 403) and (public or not login), response.status_code
        assert response.status_code < 500, response.status_code
    elif expected == LOGIN:
        assert login, (response.status_code, response.headers.get("Location"))
    else:
        assert response.status_code == expected, response.status_code
        assert "You can&#39;t do that here" in response.text or "You can't do that here" in response.text
