"""Inventory list, item page and item forms: what is shown and what is saved."""

import re
from decimal import Decimal

from app.extensions import db
from app.models import InventoryLog, Item


def _quantity(app, item_id):
    with app.app_context():
        return db.session.get(Item, item_id).quantity


def _rows(html):
    return re.findall(r'id="item-row-(\d+)"', html)


def test_list_filters_combine_and_live_in_the_url(as_role, factory):
    main, shop = factory.location("Main"), factory.location("Shop")
    tools, paint = factory.category("Tools"), factory.category("Paint")
    hammer = factory.item(name="Claw Hammer", category_id=tools.id, location=main, quantity=3, low_stock_threshold=5)
    mallet = factory.item(name="Rubber Mallet", category_id=tools.id, location=shop, quantity=50)
    roller = factory.item(name="Paint Roller", category_id=paint.id, location=main, quantity=8)
    client = as_role("staff")
    assert sorted(_rows(client.get("/items").text)) == sorted(str(i.id) for i in (hammer, mallet, roller))
    assert _rows(client.get("/items?q=hammer").text) == [str(hammer.id)]
    assert sorted(_rows(client.get(f"/items?category={tools.id}").text)) == sorted([str(hammer.id), str(mallet.id)])
    assert _rows(client.get(f"/items?category={tools.id}&location={shop.id}").text) == [str(mallet.id)]
    assert _rows(client.get("/items?min_qty=4&max_qty=10").text) == [str(roller.id)]
    low = client.get("/items?low_stock=1").text
    assert _rows(low) == [str(hammer.id)]
    assert f'id="item-row-{hammer.id}" data-item-id="{hammer.id}" class="low-stock"' in low


def test_list_sorts_by_each_column_and_pages(as_role, factory):
    location = factory.location("Main")
    made = [factory.item(name=f"Item {n:02d}", quantity=n, location=location) for n in range(1, 26)]
    client = as_role("staff")
    by_qty_desc = _rows(client.get("/items?sort=quantity&order=desc").text)
    assert by_qty_desc[0] == str(made[-1].id) and len(by_qty_desc) == 20
    second = client.get("/items?sort=quantity&order=desc&page=2").text
    assert _rows(second) == [str(i.id) for i in reversed(made[:5])]
    for column in ("name", "sku", "category", "location", "quantity", "unit", "price", "low_stock_threshold"):
        assert client.get(f"/items?sort={column}&order=desc").status_code == 200


def test_htmx_list_request_answers_only_the_results(as_role, factory):
    factory.item(name="Claw Hammer")
    response = as_role("staff").get("/items?q=claw", headers={"HX-Request": "true", "HX-Target": "inventory-results"})
    assert "<html" not in response.text and "Claw Hammer" in response.text
    assert 'hx-swap-oob="true"' in response.text


def test_quick_restock_from_row_returns_updated_row(app, as_role, factory):
    item = factory.item(quantity=5)
    client = as_role("staff")
    response = client.post(f"/items/{item.id}/quick", {"quantity": "7", "op": "restock"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="item-row-{item.id}"')
    assert '<td data-field="quantity" class="num qty">12</td>' in response.text
    assert _quantity(app, item.id) == 12


def test_quick_withdraw_beyond_stock_shows_error_in_row_and_changes_nothing(app, as_role, factory):
    item = factory.item(quantity=5)
    client = as_role("staff")
    response = client.post(f"/items/{item.id}/quick", {"quantity": "9", "op": "withdraw"}, htmx=True)
    assert response.status_code == 409
    assert "Only 5" in response.text and 'value="9"' in response.text
    assert _quantity(app, item.id) == 5


def test_quick_move_without_csrf_header_is_refused(app, as_role, factory):
    item = factory.item(quantity=5)
    response = as_role("staff").post(
        f"/items/{item.id}/quick", {"quantity": "1", "op": "restock"}, csrf=False, htmx=True
    )
    assert response.status_code == 400
    assert _quantity(app, item.id) == 5


def test_item_page_restock_withdraw_transfer(app, as_role, factory):
    main, shop = factory.location("Main"), factory.location("Shop")
    item = factory.item(quantity=10, location=main)
    client = as_role("staff")
    url = f"/items/{item.id}"
    assert client.post(url + "/restock", {"restock-quantity": "5", "restock-location_id": main.id}).status_code == 302
    assert (
        client.post(url + "/withdraw", {"withdraw-quantity": "3", "withdraw-location_id": main.id}).status_code == 302
    )
    moved = client.post(
        url + "/transfer",
        {"transfer-quantity": "2", "transfer-from_location_id": main.id, "transfer-to_location_id": shop.id},
    )
    assert moved.status_code == 302
    page = client.get(url).text
    assert "Transferred 2 pcs." in page
    assert '<strong class="big" data-field="quantity">12</strong>' in page
    assert (
        f'<tr data-location-id="{shop.id}"><td>Shop</td><td class="num" data-field="location-quantity">2</td>' in page
    )


def test_withdraw_more_than_stock_shows_error_next_to_quantity(app, as_role, factory):
    item = factory.item(quantity=4)
    client = as_role("staff")
    response = client.post(
        f"/items/{item.id}/withdraw", {"withdraw-quantity": "6", "withdraw-location_id": item.location_id}
    )
    assert response.status_code == 409
    assert 'id="withdraw-quantity-error"' in response.text and "Only 4" in response.text
    assert 'value="6"' in response.text
    assert _quantity(app, item.id) == 4


def test_restock_without_csrf_token_is_refused(app, as_role, factory):
    item = factory.item(quantity=4)
    client = as_role("staff")
    response = client.post(f"/items/{item.id}/restock", {"restock-quantity": "6"}, csrf=False)
    assert response.status_code == 400
    assert _quantity(app, item.id) == 4


def test_adjust_is_for_managers_and_records_the_count(app, as_role, factory):
    item = factory.item(quantity=4)
    data = {"adjust-counted_quantity": "9", "adjust-location_id": item.location_id, "adjust-note": "Stock-take"}
    assert as_role("staff").post(f"/items/{item.id}/adjust", data).status_code == 403
    assert as_role("manager").post(f"/items/{item.id}/adjust", data).status_code == 302
    assert _quantity(app, item.id) == 9


def test_create_item_with_bad_fields_shows_errors_keeps_input_saves_nothing(app, as_role, factory):
    location = factory.location("Main")
    client = as_role("manager")
    data = {
        "sku": "bad sku!",
        "name": "",
        "location_id": location.id,
        "unit": "pcs",
        "price": "-1",
        "low_stock_threshold": "abc",
    }
    response = client.post("/items/new", data)
    assert response.status_code == 422
    for field in ("sku", "name", "price", "low_stock_threshold"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="bad sku!"' in response.text and 'value="abc"' in response.text
    with app.app_context():
        assert db.session.query(Item).count() == 0


def test_create_item_with_taken_sku_shows_service_error_next_to_sku(app, as_role, factory):
    existing = factory.item(sku="HAM-1")
    client = as_role("manager")
    data = {
        "sku": "ham-1",  # the same SKU in other letters
        "name": "Other",
        "location_id": existing.location_id,
        "unit": "pcs",
        "price": "1",
        "low_stock_threshold": "0",
    }
    response = client.post("/items/new", data)
    assert response.status_code == 422
    assert 'id="sku-error"' in response.text
    assert "Another item already uses this SKU (letter case does not matter)." in response.text
    with app.app_context():
        assert db.session.query(Item).count() == 1


def test_create_then_edit_item(app, as_role, factory):
    location = factory.location("Main")
    client = as_role("manager")
    data = {
        "sku": "NEW-1",
        "name": "New thing",
        "location_id": location.id,
        "unit": "box",
        "price": "2.50",
        "low_stock_threshold": "3",
        "quantity": "8",
    }
    response = client.post("/items/new", data)
    assert response.status_code == 302
    item_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _quantity(app, item_id) == 8
    edit = client.get(f"/items/{item_id}/edit").text
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', edit).group(1)
    saved = client.post(f"/items/{item_id}/edit", {**data, "name": "Renamed", "version": version})
    assert saved.status_code == 302
    assert "Renamed" in client.get(f"/items/{item_id}").text


def test_staff_edit_form_offers_only_their_fields_and_saves_them(app, as_role, factory):
    home, shelf = factory.location("Main"), factory.location("Shelf B")
    item = factory.item(quantity=4, location=home, name="Hammer", sku="HAM-1", price=Decimal("9.50"))
    client = as_role("staff")
    form = client.get(f"/items/{item.id}/edit").text
    for shown in ('name="description"', 'name="location_id"', 'name="unit"', 'name="low_stock_threshold"'):
        assert shown in form
    for hidden in ('name="sku"', 'name="name"', 'name="price"', 'name="category_id"'):
        assert hidden not in form
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', form).group(1)
    # A forged manager-only field is ignored by the short form; what staff may change is saved.
    saved = client.post(
        f"/items/{item.id}/edit",
        {
            "location_id": shelf.id,
            "unit": "box",
            "low_stock_threshold": "2",
            "description": "Claw",
            "version": version,
            "price": "0.01",
            "name": "Renamed",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session.get(Item, item.id)
        assert (stored.location_id, stored.unit, stored.low_stock_threshold, stored.description) == (
            shelf.id,
            "box",
            2,
            "Claw",
        )
        assert (stored.name, stored.price) == ("Hammer", Decimal("9.50"))
    bad = client.post(
        f"/items/{item.id}/edit",
        {"location_id": shelf.id, "unit": "", "low_stock_threshold": "-1", "version": str(int(version) + 1)},
    )
    assert bad.status_code == 422
    assert "Enter a quantity from 0 to 1,000,000,000." in bad.text and "This field is required." in bad.text


def test_delete_asks_for_confirmation_first(app, as_role, factory):
    item = factory.item(name="Doomed")
    client = as_role("manager")
    confirm = client.get(f"/items/{item.id}/delete")
    assert "Delete Doomed?" in confirm.text and "Yes, delete it" in confirm.text
    assert client.get(f"/items/{item.id}").status_code == 200
    assert client.post(f"/items/{item.id}/delete").status_code == 302
    assert client.get(f"/items/{item.id}").status_code == 404


def test_item_history_is_paginated_with_user_names(app, as_role, factory):
    item = factory.item(quantity=100)
    client = as_role("staff")
    for _ in range(16):
        client.post(f"/items/{item.id}/withdraw", {"withdraw-quantity": "1", "withdraw-location_id": item.location_id})
    with app.app_context():
        assert db.session.query(InventoryLog).filter_by(item_id=item.id).count() == 17
    first = client.get(f"/items/{item.id}").text
    assert first.count('<span class="action action-withdraw">') == 15
    assert "Staff User" in first
    second = client.get(f"/items/{item.id}?page=2").text
    assert '<span class="action action-create">' in second
