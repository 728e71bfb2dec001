"""Alerts, the dashboard and the location-filtered list show numbers a manager can trust."""

import re

from app.extensions import db
from app.models import StockLevel


def _level(app, item_id, location_id):
    with app.app_context():
        level = db.session.query(StockLevel).filter_by(item_id=item_id, location_id=location_id).one_or_none()
        return level.quantity if level else 0


def _here(html, location_id):
    """The "At <location>" cell of a row: the quantity there."""
    found = re.search(rf'data-field="location-quantity" data-location-id="{location_id}"[^>]*>([^<]*)</td>', html)
    return found.group(1) if found else None


def test_alert_page_shows_quantity_now_and_moves_to_resolved_after_restock(as_role, factory):
    item = factory.item(quantity=10, low_stock_threshold=5, name="Glue")
    staff = as_role("staff")
    staff.post(f"/items/{item.id}/withdraw", {"withdraw-quantity": "8", "withdraw-location_id": item.location_id})
    staff.post(f"/items/{item.id}/restock", {"restock-quantity": "1", "restock-location_id": item.location_id})
    manager = as_role("manager")
    page = manager.get("/alerts").text
    row = page.split('id="alert-')[1].split("</tr>")[0]
    # Raised at 2, now 3 (still low): both are shown, each labelled.
    assert re.search(r'data-field="alert-quantity">3</span> pcs / 5', row) and '<td class="num">2</td>' in row
    assert "Now / threshold" in page and "When raised" in page
    staff.post(f"/items/{item.id}/restock", {"restock-quantity": "2", "restock-location_id": item.location_id})
    assert "Glue" not in manager.get("/alerts").text
    resolved = manager.get("/alerts?show=resolved").text
    assert "Glue" in resolved and "Stock returned to 5 pcs, at or above the threshold of 5 pcs" in resolved
    assert f"by {staff.user.full_name}" in resolved


def test_dashboard_cards_agree_and_say_what_they_count(as_role, factory):
    factory.item(quantity=1, low_stock_threshold=3)
    factory.item(quantity=2, low_stock_threshold=3)
    fine = factory.item(quantity=9, low_stock_threshold=3)
    as_role("staff").post(f"/items/{fine.id}/quick", {"quantity": "8", "op": "withdraw"}, htmx=True)
    page = as_role("manager").get("/dashboard").text
    assert re.search(r'data-stat="low_stock_items">3<', page)
    assert re.search(r'data-stat="open_alerts">3<', page)
    assert "Items below their low-stock threshold" in page
    assert "One per low-stock item, until its stock is back at the threshold" in page


def test_location_filter_shows_quantity_there_next_to_total(as_role, factory):
    main, shop = factory.location("Main"), factory.location("Shop")
    item = factory.item(quantity=10, location=main, name="Rope")
    staff = as_role("staff")
    staff.post(
        f"/items/{item.id}/transfer",
        {"transfer-quantity": "4", "transfer-from_location_id": main.id, "transfer-to_location_id": shop.id},
    )
    page = staff.get(f"/items?location={shop.id}").text
    assert "At Shop</th>" in page
    row = page.split(f'id="item-row-{item.id}"')[1].split("</tr>")[0]
    assert _here(row, shop.id) == "4"
    assert '<td data-field="quantity" class="num qty">10</td>' in row
    assert f'name="location_id" value="{shop.id}"' in row
    unfiltered = staff.get("/items").text
    assert "location-quantity" not in unfiltered


def test_quick_moves_on_a_filtered_list_act_at_that_location(app, as_role, factory):
    main, shop = factory.location("Main"), factory.location("Shop")
    item = factory.item(quantity=10, location=main, name="Cable", unit="m")
    staff = as_role("staff")
    staff.post(
        f"/items/{item.id}/transfer",
        {"transfer-quantity": "4", "transfer-from_location_id": main.id, "transfer-to_location_id": shop.id},
    )
    out = staff.post(f"/items/{item.id}/quick", {"quantity": "3", "op": "withdraw", "location_id": shop.id}, htmx=True)
    assert out.status_code == 200
    assert "Withdrew 3 m at Shop." in out.text
    assert _here(out.text, shop.id) == "1"
    assert (_level(app, item.id, shop.id), _level(app, item.id, main.id)) == (1, 6)
    back_in = staff.post(
        f"/items/{item.id}/quick", {"quantity": "5", "op": "restock", "location_id": shop.id}, htmx=True
    )
    assert "Restocked 5 m at Shop." in back_in.text
    assert (_level(app, item.id, shop.id), _level(app, item.id, main.id)) == (6, 6)
    short = staff.post(
        f"/items/{item.id}/quick", {"quantity": "7", "op": "withdraw", "location_id": shop.id}, htmx=True
    )
    assert short.status_code == 409 and "Only 6 m of" in short.text
    gone = staff.post(f"/items/{item.id}/quick", {"quantity": "1", "op": "withdraw", "location_id": 999999}, htmx=True)
    assert gone.status_code == 422 and "That location no longer exists" in gone.text
    assert _level(app, item.id, main.id) == 6


def test_quick_move_without_a_location_still_uses_home_and_says_the_unit(app, as_role, factory):
    item = factory.item(quantity=10, unit="m")
    done = as_role("staff").post(f"/items/{item.id}/quick", {"quantity": "3", "op": "withdraw"}, htmx=True)
    assert "Withdrew 3 m." in done.text
    assert _level(app, item.id, item.location_id) == 7


def test_dashboard_feed_shows_a_deleted_item_as_deleted_without_a_link(as_role, factory):
    item = factory.item(quantity=1, name="Old lamp")
    manager = as_role("manager")
    page = manager.get(f"/items/{item.id}/delete")
    assert page.status_code == 200
    manager.post(f"/items/{item.id}/delete", {})
    feed = manager.get("/dashboard").text
    assert 'Old lamp <small class="muted">(deleted)</small>' in feed
    assert f'href="/items/{item.id}"' not in feed


def test_filtering_on_a_parent_location_shows_the_quantity_in_its_whole_subtree(app, as_role, factory):
    site = factory.location("Warehouse", is_structural=True)
    shelf_a = factory.location("Shelf A", parent_id=site.id)
    shelf_b = factory.location("Shelf B", parent_id=site.id)
    store = factory.location("Store")
    item = factory.item(quantity=12, location=shelf_a, name="Twine")
    staff = as_role("staff")
    for destination, quantity in ((shelf_b, "3"), (store, "5")):
        staff.post(
            f"/items/{item.id}/transfer",
            {
                "transfer-quantity": quantity,
                "transfer-from_location_id": shelf_a.id,
                "transfer-to_location_id": destination.id,
            },
        )
    assert (_level(app, item.id, shelf_a.id), _level(app, item.id, shelf_b.id)) == (4, 3)

    whole_site = staff.get(f"/items?location={site.id}").text
    row = whole_site.split(f'id="item-row-{item.id}"')[1].split("</tr>")[0]
    assert _here(row, site.id) == "7"  # 4 on shelf A + 3 on shelf B
    assert '<td data-field="quantity" class="num qty">12</td>' in row
    assert "and in the locations inside it" in whole_site
    # A structural site holds no stock itself: the quick moves act at each item's home, and the page says so.
    assert f'type="hidden" name="location_id" value="{site.id}"' not in row
    assert "Warehouse groups other locations, so quick moves act at each item's home location" in whole_site

    one_shelf = staff.get(f"/items?location={shelf_b.id}").text
    row = one_shelf.split(f'id="item-row-{item.id}"')[1].split("</tr>")[0]
    assert _here(row, shelf_b.id) == "3"
    assert f'name="location_id" value="{shelf_b.id}"' in row
    out = staff.post(
        f"/items/{item.id}/quick", {"quantity": "2", "op": "withdraw", "location_id": shelf_b.id}, htmx=True
    )
    assert "Withdrew 2 pcs at Warehouse / Shelf B." in out.text
    assert (_level(app, item.id, shelf_a.id), _level(app, item.id, shelf_b.id)) == (4, 1)
