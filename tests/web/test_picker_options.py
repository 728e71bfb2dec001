"""The item and supplier pickers' choices: GET /items/options and /purchasing/suppliers/options
answer at most 50 choices as [{"id", "label"}], like /locations/options."""

from __future__ import annotations

import pytest

from tests.helpers.purchasing import supplier

pytestmark = pytest.mark.core


def _labels(response) -> list[str]:
    assert response.status_code == 200 and response.is_json
    return [row["label"] for row in response.get_json()]


def test_item_options_match_every_word_in_name_or_sku_any_case_and_any_script(as_role, factory):
    shelf = factory.location("Shelf")
    factory.item(location=shelf, sku="BOLT-M8", name="Hex bolt zinc")
    factory.item(location=shelf, sku="ГВ-10", name="Гвоздь строительный")
    factory.item(location=shelf, sku="NEJI-3", name="六角ボルト ステンレス")
    factory.item(location=shelf, sku="NUT-1", name="Wing nut")
    client = as_role("staff")
    assert _labels(client.get("/items/options?q=zinc m8")) == ["BOLT-M8 · Hex bolt zinc"]
    assert _labels(client.get("/items/options?q=ГВОЗДЬ")) == ["ГВ-10 · Гвоздь строительный"]
    assert _labels(client.get("/items/options?q=гв-10 строит")) == ["ГВ-10 · Гвоздь строительный"]
    assert _labels(client.get("/items/options?q=ボルト")) == ["NEJI-3 · 六角ボルト ステンレス"]
    assert _labels(client.get("/items/options?q=bolt nut")) == []  # every word, not any
    assert _labels(client.get("/items/options?q=%25_")) == []  # LIKE wildcards are plain text
    assert _labels(client.get("/items/options?q=")) == []


def test_item_options_put_an_exact_barcode_first_and_leave_out_deleted_items(app, as_role, factory):
    from app.extensions import db
    from app.models import User
    from app.services import items

    shelf = factory.location("Shelf")
    first = factory.item(location=shelf, sku="A-1", name="Aardvark 4006381333931")
    coded = factory.item(location=shelf, sku="Z-9", name="Zebra tape", barcodes=["4006381333931"])
    gone = factory.item(location=shelf, sku="BOLT-X", name="Gone bolt")
    manager = factory.user("manager")
    with app.app_context():
        items.delete_item(gone.id, actor=db.session.get(User, manager.id))
    client = as_role("staff")
    found = client.get("/items/options?q=4006381333931").get_json()
    assert [row["id"] for row in found] == [coded.id, first.id]
    assert client.get("/items/options?code=4006381333931").get_json() == [{"id": coded.id, "label": "Z-9 · Zebra tape"}]
    assert client.get("/items/options?code=a-1").get_json() == [
        {"id": first.id, "label": "A-1 · Aardvark 4006381333931"}
    ]
    assert _labels(client.get("/items/options?q=gone")) == []
    assert client.get("/items/options?code=BOLT-X").get_json() == []


def test_item_and_supplier_options_stop_at_50(app, as_role, factory):
    from app.extensions import db
    from app.models import Item, Supplier

    shelf = factory.location("Shelf")
    manager = factory.user("manager")
    with app.app_context():
        db.session.add_all(
            Item(sku=f"CAP-{n:03d}", name=f"Cap {n:03d}", location_id=shelf.id, unit="pcs") for n in range(60)
        )
        db.session.add_all(Supplier(name=f"Capstan {n:03d}") for n in range(60))
        db.session.commit()
    assert manager
    client = as_role("staff")
    found = _labels(client.get("/items/options?q=cap"))
    assert len(found) == 50 and found[0] == "CAP-000 · Cap 000" and found[-1] == "CAP-049 · Cap 049"
    names = _labels(client.get("/purchasing/suppliers/options?q=CAPSTAN"))
    assert len(names) == 50 and names[0] == "Capstan 000"


def test_supplier_options_match_every_word_and_a_code_names_one(app, as_role):
    acme = supplier(app, name="ACME Fasteners")
    supplier(app, name="Поставщик Восток")
    supplier(app, name="東京部品")
    client = as_role("staff")
    assert _labels(client.get("/purchasing/suppliers/options?q=fast acme")) == ["ACME Fasteners"]
    assert _labels(client.get("/purchasing/suppliers/options?q=восток")) == ["Поставщик Восток"]
    assert _labels(client.get("/purchasing/suppliers/options?q=部品")) == ["東京部品"]
    code = client.get("/purchasing/suppliers/options?code=acme fasteners").get_json()
    assert code == [{"id": acme.id, "label": "ACME Fasteners"}]


@pytest.mark.parametrize("path", ["/items/options?q=a", "/purchasing/suppliers/options?q=a"])
def test_options_are_refused_to_someone_not_signed_in(pages, path):
    response = pages.get(path)
    assert response.status_code in (302, 401)
    assert not (response.is_json and isinstance(response.get_json(), list))
