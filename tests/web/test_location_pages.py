"""Location tree pages, path selectors, site dashboard and decimal movements on pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.database import BACKEND

pytestmark = pytest.mark.core


@pytest.fixture()
def tree(factory):
    main = factory.location("Main Warehouse", is_structural=True)
    aisle = factory.location("Aisle A", parent_id=main.id, is_structural=True)
    shelf = factory.location("Shelf 03", parent_id=aisle.id)
    b2 = factory.location("Bin B2", parent_id=shelf.id)
    store = factory.location("Downtown Store", is_structural=True)
    floor = factory.location("Retail Floor", parent_id=store.id)
    return {"main": main, "aisle": aisle, "shelf": shelf, "b2": b2, "store": store, "floor": floor}


def test_tree_page_shows_nesting_and_subtree_counts(as_role, factory, tree):
    factory.item(quantity=4, location=tree["b2"])
    factory.item(quantity=Decimal("1.5"), decimals=1, location=tree["floor"])
    page = as_role("staff").get("/locations").text
    main_li = page.split(f'id="location-{tree["main"].id}"')[1]
    assert main_li.index("Aisle A") < main_li.index("Bin B2") and "Downtown Store" not in main_li
    assert 'data-items="1" data-units="4"' in main_li.split("Aisle A")[0]
    store_li = page.split(f'id="location-{tree["store"].id}"')[1]
    assert 'data-items="1" data-units="1.5"' in store_li.split('data-path="Downtown Store / Retail Floor"')[0]
    assert "<details open>" in page and "structural" in page


def test_location_page_has_breadcrumbs_children_and_rolled_up_items(as_role, factory, tree):
    item = factory.item(quantity=4, location=tree["b2"], name="Hex Bolt")
    page = as_role("staff").get(f"/locations/{tree['aisle'].id}").text
    crumbs = page.split('class="crumbs"')[1].split("</nav>")[0]
    assert "Locations" in crumbs and "Main Warehouse" in crumbs and "Aisle A" in crumbs
    assert "Shelf 03" in page.split('id="children-heading"')[1]
    assert "Hex Bolt" in page and f"/items/{item.id}" in page


def test_item_page_selectors_show_full_paths_without_structural_ones(as_role, factory, tree):
    item = factory.item(quantity=4, location=tree["b2"])
    page = as_role("staff").get(f"/items/{item.id}").text
    assert "Main Warehouse / Aisle A / Shelf 03 / Bin B2" in page
    assert f'<option value="{tree["aisle"].id}">' not in page


def test_create_location_under_a_parent_and_cycle_error_next_to_field(app, as_role, tree):
    manager = as_role("manager")
    created = manager.post("/locations", {"name": "Bin B3", "parent_id": str(tree["shelf"].id)}, follow_redirects=True)
    assert "Main Warehouse / Aisle A / Shelf 03 / Bin B3" in created.text
    response = manager.post(f"/locations/{tree['aisle'].id}/edit", {"name": "Aisle A", "parent_id": str(tree["b2"].id)})
    assert response.status_code == 422
    assert 'id="parent_id-error"' in response.text and "is inside" in response.text


def test_archive_refused_with_children_shows_why(as_role, tree):
    response = as_role("manager").post(f"/locations/{tree['shelf'].id}/delete", follow_redirects=True)
    assert "Cannot archive" in response.text and "sub-location" in response.text


def test_decimal_withdrawal_on_item_page_and_too_many_places_next_to_field(as_role, factory, tree):
    item = factory.item(quantity=Decimal("2.5"), decimals=2, unit="m", location=tree["b2"], name="Cable")
    staff = as_role("staff")
    done = staff.post(
        f"/items/{item.id}/withdraw",
        {"withdraw-quantity": "0.25", "withdraw-location_id": tree["b2"].id},
        follow_redirects=True,
    )
    assert "2.25" in done.text
    refused = staff.post(
        f"/items/{item.id}/withdraw", {"withdraw-quantity": "0.125", "withdraw-location_id": tree["b2"].id}
    )
    assert refused.status_code == 422
    error = refused.text.split('id="withdraw-quantity-error"')[1].split("</small>")[0]
    assert "at most 2 decimal place" in error


def test_dashboard_narrowed_to_a_site(as_role, factory, tree):
    factory.item(quantity=4, location=tree["b2"])
    factory.item(quantity=100, location=tree["floor"])
    staff = as_role("staff")
    everything = staff.get("/dashboard").text
    assert 'data-stat-list="units_by_unit"><li>104 pcs</li>' in everything
    site = staff.get(f"/dashboard?site={tree['main'].id}").text
    assert 'data-stat-list="units_by_unit"><li>4 pcs</li>' in site and "Figures for Main Warehouse only" in site


def test_new_item_with_decimal_places_and_a_refused_initial_quantity(app, as_role, tree):
    client = as_role("manager")
    data = {"sku": "CAB-1", "name": "Cable", "location_id": tree["b2"].id, "unit": "m", "price": "1"}
    refused = client.post("/items/new", {**data, "low_stock_threshold": "0", "quantity": "1.5", "decimals": "0"})
    assert refused.status_code == 422
    assert "whole numbers only" in refused.text.split('id="quantity-error"')[1].split("</small>")[0]
    created = client.post(
        "/items/new",
        {**data, "low_stock_threshold": "0.5", "quantity": "12.75", "decimals": "2"},
        follow_redirects=True,
    )
    assert created.status_code == 200 and "12.75" in created.text


def test_a_big_tree_lists_sites_and_aisles_in_the_list_filter_and_finds_the_rest_as_typed(
    as_role, factory, tree, monkeypatch
):
    from app.services import locations

    monkeypatch.setattr(locations, "INLINE_CHOICES", 3)  # six live locations: more than fit
    item = factory.item(quantity=2, location=tree["b2"], name="Deep Bolt")
    client = as_role("staff")
    page = client.get("/items").text
    row = page.split(f'id="item-row-{item.id}"')[1].split("</tr>")[0]
    assert "Main Warehouse / Aisle A / Shelf 03 / Bin B2" in row  # the row shows its bin, listed or not
    moved = client.post(f"/items/{item.id}/quick", {"quantity": "1", "op": "withdraw"}, htmx=True)
    assert moved.status_code == 200 and "Main Warehouse / Aisle A / Shelf 03 / Bin B2" in moved.text
    listed = page.split('id="location"')[1].split("</select>")[0]
    assert "data-lookup=" in listed and "type to find a shelf or bin" in page
    assert "Main Warehouse / Aisle A<" in listed and "Downtown Store / Retail Floor<" in listed
    assert "Bin B2" not in listed  # deeper than an aisle: found by typing
    chosen = client.get(f"/items?location={tree['b2'].id}").text.split('id="location"')[1].split("</select>")[0]
    assert f'<option value="{tree["b2"].id}" selected>Main Warehouse / Aisle A / Shelf 03 / Bin B2</option>' in chosen
    found = client.get("/locations/options?q=shelf b2").get_json()
    b2_path = "Main Warehouse / Aisle A / Shelf 03 / Bin B2"
    assert found == [{"id": tree["b2"].id, "path": b2_path, "label": b2_path}]
    assert client.get("/locations/options?q=%25_").get_json() == []  # LIKE wildcards are plain text


def test_a_small_tree_lists_every_location_in_the_list_filter(as_role, tree):
    listed = as_role("staff").get("/items").text.split('id="location"')[1].split("</select>")[0]
    assert "Bin B2" in listed and "data-lookup" not in listed


def test_a_big_tree_shows_the_sites_and_loads_each_level_when_opened(as_role, factory, tree, monkeypatch):
    from app.services import location_tree

    monkeypatch.setattr(location_tree, "INLINE_CHOICES", 3)  # six live locations: a big tree
    factory.item(quantity=4, location=tree["b2"])
    client = as_role("staff")
    page = client.get("/locations").text
    shown = page.split('id="locations-tree"')[1].split("</section>")[0]
    assert "Main Warehouse" in shown and "Downtown Store" in shown
    assert "Aisle A" not in shown and "<details open>" not in shown  # nothing below the sites yet
    opens = f'hx-get="/locations/{tree["main"].id}/children"'
    main_li = shown.split(f'id="location-{tree["main"].id}"')[1]
    assert opens in main_li and 'data-items="1" data-units="4"' in main_li
    level = client.get(f"/locations/{tree['main'].id}/children").text
    assert "Aisle A" in level and f'hx-get="/locations/{tree["aisle"].id}/children"' in level
    assert "Shelf 03" not in level  # one level at a time
    leaf = client.get(f"/locations/{tree['shelf'].id}/children").text
    assert "Bin B2" in leaf and "hx-get" not in leaf  # a bin has nothing inside: no arrow
    assert client.get("/locations/999999/children").status_code == 404
    found = client.get("/locations?q=shelf b2").text.split('id="locations-found"')[1].split("</ul>")[0]
    assert "Main Warehouse / Aisle A / Shelf 03 / Bin B2" in found and "Retail Floor" not in found


def test_a_location_page_reads_its_childrens_figures_in_one_statement(app, as_role, factory, tree):
    from tests.helpers.queries import counted_queries

    factory.item(quantity=4, location=tree["b2"])
    client = as_role("staff")
    client.get(f"/locations/{tree['main'].id}")  # warm the session and caches
    for name in ("Shelf 04", "Shelf 05", "Shelf 06"):
        factory.location(name, parent_id=tree["aisle"].id)
    with counted_queries(app) as few:
        client.get(f"/locations/{tree['aisle'].id}")
    for name in ("Shelf 07", "Shelf 08", "Shelf 09", "Shelf 10"):
        factory.location(name, parent_id=tree["aisle"].id)
    with counted_queries(app) as more:
        page = client.get(f"/locations/{tree['aisle'].id}").text
    assert "Shelf 10" in page and len(more) == len(few)


@pytest.mark.skipif(BACKEND == "sqlite", reason="the 10,000-bin tree is made by PostgreSQL's generate_series")
def test_a_ten_thousand_bin_tree_shows_the_sites_and_pages_each_level_100_at_a_time(app, as_role, factory):
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Location
    from tests.helpers.big_tree import big_tree

    big = big_tree(factory, shelves=40, bins_per_shelf=250)  # 10,000 bins, 250 on each shelf
    with app.app_context():
        shelf = db.session.scalar(sa.select(Location.id).where(Location.path == "Big Site / Aisle Z / Shelf 007"))
    client = as_role("staff")
    index = client.get("/locations")
    shown = index.text.split('id="locations-tree"')[1].split("</section>")[0]
    assert "Big Site" in shown and "Aisle Z" not in shown and "<details open>" not in shown
    aisles = client.get(f"/locations/{big['site'].id}/children")
    shelves = client.get(f"/locations/{big['aisle'].id}/children")
    assert shelves.text.count('hx-trigger="toggle once"') == 40 and "Show more" not in shelves.text
    first = client.get(f"/locations/{shelf}/children")
    assert first.text.count('class="tree-leaf"') == 100 and "Bin 001" in first.text and "Bin 101" not in first.text
    more = first.text.split('class="tree-more"')[1]
    assert "Show more (100 of 250 shown)" in more and f'hx-get="/locations/{shelf}/children?page=2"' in more
    assert f'href="/locations/{shelf}?page=2#children-heading"' in more  # without script: the shelf's own page 2
    last = client.get(f"/locations/{shelf}/children?page=3").text
    assert last.count('class="tree-leaf"') == 50 and "Bin 250" in last and "Show more" not in last
    assert "Bin 101" in client.get(f"/locations/{shelf}?page=2").text
    found = client.get("/locations?q=shelf 040 bin 250").text.split('id="locations-found"')[1].split("</ul>")[0]
    assert found.count("<li") == 1 and "Big Site / Aisle Z / Shelf 040 / Bin 250" in found
    sizes = {"index": len(index.data), "site": len(aisles.data), "aisle": len(shelves.data), "shelf": len(first.data)}
    print("Locations page bytes at 10,000 bins:", sizes)
    assert max(sizes.values()) < 150_000
