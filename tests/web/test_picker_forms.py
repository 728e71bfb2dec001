"""Forms that choose an item or a supplier use the bounded picker (never a <select> of the whole
table); the server checks the chosen id and puts its refusal next to the field."""

from __future__ import annotations

import re

import pytest

from tests.helpers import purchasing as buy

pytestmark = pytest.mark.core


def _delete_item(app, factory, item_id: int) -> None:
    from app.extensions import db
    from app.models import User
    from app.services import items

    manager = factory.user("manager")
    with app.app_context():
        items.delete_item(item_id, actor=db.session.get(User, manager.id))


def test_cart_adds_a_line_chosen_with_the_item_picker_and_refuses_a_deleted_item_next_to_it(app, as_role, factory):
    shelf = factory.location("Shelf C")
    bolt = factory.item(quantity=9, location=shelf, sku="CB-1", name="Carriage bolt")
    gone = factory.item(quantity=3, location=shelf, sku="CB-2", name="Gone bolt")
    staff = as_role("staff")
    page = staff.get("/cart").text
    form = page.split('id="cart-add-form"')[1].split("</form>")[0]
    assert 'role="combobox"' in form and 'data-source="/items/options"' in form and "<select" not in form
    added = staff.post("/cart/add", {"add-item_id": str(bolt.id), "add-quantity": "2", "add-location_id": ""})
    assert added.status_code == 302
    assert "Carriage bolt" in staff.get("/cart").text.split('id="lines-heading"')[1]
    _delete_item(app, factory, gone.id)
    refused = staff.post("/cart/add", {"add-item_id": str(gone.id), "add-quantity": "1"})
    assert refused.status_code == 422
    error = refused.text.split('id="add-item_id-error"')[1].split("</small>")[0]
    assert "That item is deleted or does not exist" in error
    assert 'aria-invalid="true"' in refused.text.split('id="cart-add-form"')[1].split('id="add-item_id-error"')[0]


def test_cart_line_from_a_structural_place_is_refused_next_to_the_from_field(as_role, factory):
    aisle = factory.location("Aisle Z", is_structural=True)
    shelf = factory.location("Shelf Z", parent_id=aisle.id)
    bolt = factory.item(quantity=9, location=shelf)
    staff = as_role("staff")
    refused = staff.post("/cart/add", {"add-item_id": str(bolt.id), "add-quantity": "1", "add-location_id": aisle.id})
    assert refused.status_code == 422 and 'id="add-location_id-error"' in refused.text


def test_new_order_and_filter_choose_the_supplier_with_the_picker(app, as_role):
    acme = buy.supplier(app, name="Acme Picker Parts")
    buy.supplier(app, name="Zeta Hidden Supply")
    manager = as_role("manager")
    page = manager.get("/purchasing/orders").text
    assert (
        "Zeta Hidden Supply" not in page and "<option" not in page.split('id="new-order-form"')[1].split("</form>")[0]
    )
    assert 'data-source="/purchasing/suppliers/options"' in page
    made = manager.post("/purchasing/orders", {"supplier_id": str(acme.id)})
    assert made.status_code == 302
    refused = manager.post("/purchasing/orders", {"supplier_id": "999999"})
    assert refused.status_code == 422
    assert "That supplier does not exist any more" in refused.text.split('id="supplier_id-error"')[1]
    empty = manager.post("/purchasing/orders", {"supplier_id": ""})
    assert empty.status_code == 422 and "Choose a supplier." in empty.text
    filtered = manager.get(f"/purchasing/orders?supplier_id={acme.id}").text
    box = filtered.split('id="supplier-filter"')[1].split(">")[0]
    assert 'value="Acme Picker Parts"' in box  # the chosen supplier shown in its picker
    assert re.search(r"<td>\s*Acme Picker Parts\s*</td>", filtered)


def test_item_page_offer_form_uses_the_supplier_picker_and_shows_refusals_next_to_it(app, as_role, factory):
    co = buy.supplier(app, name="Offer Picker Co")
    item = factory.item()
    manager = as_role("manager")
    url = f"/purchasing/items/{item.id}/offers"
    added = manager.post(url, {"offer-supplier_id": str(co.id), "offer-unit_price": "1"})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/items/{item.id}#purchasing")
    again = manager.post(url, {"offer-supplier_id": str(co.id), "offer-unit_price": "2"})
    assert again.status_code == 409 or again.status_code == 422
    assert "Already offers this item." in again.text.split('id="offer-supplier_id-error"')[1].split("</small>")[0]
    unknown = manager.post(url, {"offer-supplier_id": "999999"})
    assert unknown.status_code == 422 and "That supplier does not exist any more" in unknown.text
    page = manager.get(f"/items/{item.id}").text
    form = page.split('id="offer-form"')[1].split("</form>")[0]
    assert (
        'data-source="/purchasing/suppliers/options"' in form and "<select" not in form.split("offer-supplier_sku")[0]
    )
    assert "Offer Picker Co" not in page.split('id="offer-form"')[1]  # listed as an offer, never as a choice


def test_a_count_is_narrowed_to_an_item_chosen_with_the_picker(as_role, factory):
    site = factory.location("Count Site", is_structural=True)
    shelf = factory.location("Count Shelf", parent_id=site.id)
    bolt = factory.item(quantity=5, location=shelf, sku="NB-1", name="Narrow bolt")
    factory.item(quantity=5, location=shelf, sku="NB-2", name="Other nut")
    manager = as_role("manager")
    assert 'data-source="/items/options"' in manager.get("/counts").text
    opened = manager.post("/counts", {"location_id": site.id, "item_id": str(bolt.id)})
    assert opened.status_code == 302
    page = manager.get(opened.headers["Location"]).text
    assert "Narrow bolt" in page and "Other nut" not in page


def test_the_pages_with_pickers_stay_small_with_200_suppliers_2000_items_and_10000_bins(app, as_role, factory):
    if "sqlite" in app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("the big tree is made by PostgreSQL's generate_series")
    from app.extensions import db
    from app.models import Item, Supplier
    from tests.helpers.big_tree import big_tree, bin_id

    big_tree(factory)
    home = bin_id(app, 1, 1)
    with app.app_context():
        db.session.add_all(Supplier(name=f"Bulk Supplier {n:03d}") for n in range(200))
        db.session.add_all(
            Item(sku=f"BULK-{n:04d}", name=f"Bulk item {n:04d}", location_id=home, unit="pcs") for n in range(2000)
        )
        db.session.commit()
    manager = as_role("manager")
    supplier = buy.supplier(app, name="Size Co")
    made = manager.post("/purchasing/orders", {"supplier_id": str(supplier.id)})
    order_url = made.headers["Location"]
    with app.app_context():
        item = db.session.scalar(db.select(Item.id).where(Item.sku == "BULK-0001"))
    assert manager.post("/cart/add", {"add-item_id": str(item), "add-quantity": "1"}).status_code == 302
    sizes = {
        path: len(manager.get(path).data)
        for path in ("/cart", "/purchasing/orders", order_url, f"/items/{item}", "/counts", "/locations")
    }
    print("Page bytes with 200 suppliers, 2,000 items, 10,000 bins:", sizes)
    assert all(size < 150_000 for size in sizes.values()), sizes
    assert all(b"Bulk Supplier 199" not in manager.get(path).data for path in ("/purchasing/orders", f"/items/{item}"))
