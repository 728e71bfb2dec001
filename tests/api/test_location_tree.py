"""The location tree through the API: paths, sibling names, moves, cycles, structural
locations, archive refusals, subtree filters and totals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.api import error_of
from tests.helpers.concurrency import Post, post_together
from tests.helpers.database import BACKEND
from tests.helpers.queries import counted_queries

pytestmark = pytest.mark.core


@pytest.fixture()
def tree(api):
    """Main Warehouse / Aisle A / Shelf 03 / Bin B2 (plus Bin B1), and a second site."""

    def make(name, parent=None, structural=False):
        body = {"name": name, "parent_id": parent, "is_structural": structural}
        response = api.post("/api/v1/locations", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    main = make("Main Warehouse", structural=True)
    aisle = make("Aisle A", main["id"], structural=True)
    shelf = make("Shelf 03", aisle["id"])
    b1 = make("Bin B1", shelf["id"])
    b2 = make("Bin B2", shelf["id"])
    store = make("Downtown Store", structural=True)
    floor = make("Retail Floor", store["id"])
    return {"main": main, "aisle": aisle, "shelf": shelf, "b1": b1, "b2": b2, "store": store, "floor": floor}


def _item(api, location_id, quantity, **extra):
    body = {"sku": f"T-{location_id}-{quantity}", "name": "Thing", "location_id": location_id, "quantity": quantity}
    response = api.post("/api/v1/items", {**body, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_created_location_has_path_depth_and_parent(tree):
    b2 = tree["b2"]
    assert b2["path"] == "Main Warehouse / Aisle A / Shelf 03 / Bin B2"
    assert (b2["depth"], b2["parent_id"], b2["is_structural"]) == (3, tree["shelf"]["id"], False)


def test_same_name_allowed_under_different_parents_refused_among_siblings(api, tree):
    other_shelf = api.post("/api/v1/locations", {"name": "Shelf 04", "parent_id": tree["aisle"]["id"]}).get_json()
    again = api.post("/api/v1/locations", {"name": "Bin B1", "parent_id": other_shelf["id"]})
    assert again.status_code == 201
    clash = api.post("/api/v1/locations", {"name": "bin b1", "parent_id": tree["shelf"]["id"]})
    assert clash.status_code == 409
    assert error_of(clash)["code"] == "duplicate" and "name" in error_of(clash)["fields"]


@pytest.mark.parametrize("flag", [0, 1, "true"])
def test_is_structural_is_a_json_boolean_only(api, tree, flag):
    response = api.post("/api/v1/locations", {"name": "Loose", "is_structural": flag})
    assert response.status_code == 422 and "is_structural" in error_of(response)["fields"]


def test_listing_children_counts_only_them_in_one_statement(app, api, tree):
    api.get(f"/api/v1/locations?parent_id={tree['shelf']['id']}")
    with counted_queries(app) as statements:
        listed = api.get(f"/api/v1/locations?parent_id={tree['shelf']['id']}").get_json()
    assert [loc["name"] for loc in listed] == ["Bin B1", "Bin B2"]
    assert len(statements) <= 2  # the caller, then the locations with their counts


def test_children_and_roots_by_parent_id(api, tree):
    roots = api.get("/api/v1/locations?parent_id=null").get_json()
    assert [r["name"] for r in roots] == ["Downtown Store", "Main Warehouse"]
    kids = api.get(f"/api/v1/locations?parent_id={tree['shelf']['id']}").get_json()
    assert [k["path"] for k in kids] == [
        "Main Warehouse / Aisle A / Shelf 03 / Bin B1",
        "Main Warehouse / Aisle A / Shelf 03 / Bin B2",
    ]
    assert api.get("/api/v1/locations?parent_id=abc").status_code == 422


def test_search_matches_any_part_of_the_path(api, tree):
    assert [r["name"] for r in api.get("/api/v1/locations?search=shelf 03").get_json()] == [
        "Shelf 03",
        "Bin B1",
        "Bin B2",
    ]
    assert [r["name"] for r in api.get("/api/v1/locations?search=B2").get_json()] == ["Bin B2"]


def test_move_rewrites_paths_of_the_whole_subtree(api, tree):
    moved = api.patch(f"/api/v1/locations/{tree['shelf']['id']}", {"parent_id": tree["store"]["id"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["path"] == "Downtown Store / Shelf 03"
    b2 = api.get(f"/api/v1/locations/{tree['b2']['id']}").get_json()
    assert (b2["path"], b2["depth"]) == ("Downtown Store / Shelf 03 / Bin B2", 2)
    renamed = api.patch(f"/api/v1/locations/{tree['store']['id']}", {"name": "City Store"})
    assert renamed.status_code == 200
    assert api.get(f"/api/v1/locations/{tree['b2']['id']}").get_json()["path"] == "City Store / Shelf 03 / Bin B2"


@pytest.mark.parametrize("target", ["aisle", "b2"])
def test_move_under_itself_or_a_descendant_is_refused(api, tree, target):
    parent = tree["aisle"]["id"] if target == "aisle" else tree["b2"]["id"]
    response = api.patch(f"/api/v1/locations/{tree['aisle']['id']}", {"parent_id": parent})
    assert response.status_code == 422
    assert "parent_id" in error_of(response)["fields"]
    assert api.get(f"/api/v1/locations/{tree['b2']['id']}").get_json()["path"].startswith("Main Warehouse / Aisle A")


def test_structural_location_refuses_stock(api, tree):
    item = _item(api, tree["b1"]["id"], 5)
    response = api.post(f"/api/v1/items/{item['id']}/restock", {"quantity": 1, "location_id": tree["aisle"]["id"]})
    assert response.status_code == 422
    error = error_of(response)
    assert "structural" in error["message"] and "location_id" in error["fields"]
    transfer = {"from_location_id": tree["b1"]["id"], "to_location_id": tree["main"]["id"], "quantity": 1}
    refused = api.post(f"/api/v1/items/{item['id']}/transfer", transfer)
    assert refused.status_code == 422 and "to_location_id" in error_of(refused)["fields"]
    home = api.post("/api/v1/items", {"sku": "H-1", "name": "H", "location_id": tree["main"]["id"]})
    assert home.status_code == 422 and "location_id" in error_of(home)["fields"]


def test_location_holding_stock_cannot_become_structural(api, tree):
    _item(api, tree["b1"]["id"], 5)
    response = api.patch(f"/api/v1/locations/{tree['b1']['id']}", {"is_structural": True})
    assert response.status_code == 409 and "is_structural" in error_of(response)["fields"]


def test_archive_refused_with_children_or_stock(api, tree):
    with_children = api.delete(f"/api/v1/locations/{tree['shelf']['id']}")
    assert with_children.status_code == 409
    assert "sub-location" in error_of(with_children)["message"] and "Bin B1" in error_of(with_children)["message"]
    _item(api, tree["b1"]["id"], 5)
    holding = api.delete(f"/api/v1/locations/{tree['b1']['id']}")
    assert holding.status_code == 409 and "1 active item" in error_of(holding)["message"]
    assert api.delete(f"/api/v1/locations/{tree['b2']['id']}").status_code == 204
    assert api.get(f"/api/v1/locations/{tree['b2']['id']}").status_code == 404


def test_detail_gives_children_ancestors_and_subtree_totals(api, tree):
    _item(api, tree["b1"]["id"], 5)
    _item(api, tree["b2"]["id"], 7)
    _item(api, tree["floor"]["id"], 100)
    detail = api.get(f"/api/v1/locations/{tree['main']['id']}").get_json()
    assert detail["totals"] == {"items": 2, "units": 12}
    assert [c["name"] for c in detail["children"]] == ["Aisle A"]
    shelf = api.get(f"/api/v1/locations/{tree['shelf']['id']}").get_json()
    assert [a["name"] for a in shelf["ancestors"]] == ["Main Warehouse", "Aisle A"]
    assert shelf["totals"] == {"items": 2, "units": 12}


def test_inventory_filter_includes_subtree_unless_cascade_false(api, tree):
    in_b1 = _item(api, tree["b1"]["id"], 5)
    in_b2 = _item(api, tree["b2"]["id"], 7)
    _item(api, tree["floor"]["id"], 1)
    listed = api.get(f"/api/v1/items?location_id={tree['main']['id']}").get_json()
    assert {i["id"] for i in listed["items"]} == {in_b1["id"], in_b2["id"]} and listed["total"] == 2
    exact = api.get(f"/api/v1/items?location_id={tree['b1']['id']}&cascade=false").get_json()
    assert [i["id"] for i in exact["items"]] == [in_b1["id"]]
    assert api.get(f"/api/v1/items?location_id={tree['main']['id']}&cascade=false").get_json()["total"] == 0


def test_stock_entries_show_full_paths(api, tree):
    item = _item(api, tree["b2"]["id"], 3)
    assert item["stock"][0]["location_name"] == "Main Warehouse / Aisle A / Shelf 03 / Bin B2"


@pytest.mark.skipif(BACKEND == "sqlite", reason="concurrent writers need PostgreSQL")
def test_concurrent_crossed_moves_cannot_make_a_cycle(app, factory, live_server):
    import requests

    a, b = factory.location("A"), factory.location("B")
    token = factory.token(factory.user("manager"))
    headers = {"Authorization": f"Bearer {token}"}

    def move(child, parent) -> Post:
        return Post(f"/api/v1/locations/{child.id}", {"parent_id": parent.id}, token, method="PATCH")

    for _ in range(5):
        statuses = sorted(r.status_code for r in post_together(live_server, [move(a, b), move(b, a)]))
        assert statuses == [200, 422], statuses
        with app.app_context():
            from app.extensions import db
            from app.models import Location

            rows = {loc.id: loc for loc in db.session.execute(sa.select(Location)).scalars()}
            roots = [loc for loc in rows.values() if loc.parent_id is None]
            assert len(roots) == 1, "one of them must stay a root"
            child = rows[a.id] if rows[a.id].parent_id else rows[b.id]
            assert child.path == f"{roots[0].name} / {child.name}" and child.path_key.startswith(roots[0].path_key)
            # back to two roots for the next round
            db.session.remove()
        requests.patch(f"{live_server}/api/v1/locations/{child.id}", json={"parent_id": None}, headers=headers)


def test_dashboard_summary_narrowed_to_a_site(api, tree):
    _item(api, tree["b1"]["id"], 5)
    _item(api, tree["floor"]["id"], 100)
    assert api.get("/api/v1/dashboard/summary").get_json()["total_units"] == 105
    site = api.get(f"/api/v1/dashboard/summary?site_id={tree['main']['id']}").get_json()
    assert (site["total_units"], site["total_items"], site["site"]["path"]) == (5, 1, "Main Warehouse")
    assert api.get("/api/v1/dashboard/summary?site_id=999999").status_code == 404
