"""Pages of a lot-tracked item (issue 27): a restock without a lot is refused with a message next
to the lot field, never a 500, and nothing changes; a withdrawal without a lot picks FEFO."""

from __future__ import annotations

import sqlalchemy as sa

from tests.helpers.api import db_scalar


def _quantity(app, item_id):
    from app.models import Item

    return db_scalar(app, sa.select(Item.quantity).where(Item.id == item_id))


def test_a_lot_item_page_refuses_a_restock_without_lot_and_withdraws_fefo(app, as_role, factory):
    from app.extensions import db
    from app.models import User
    from app.services import stock

    main = factory.location("Main")
    item = factory.item(tracking="lot", location=main)
    manager = factory.user("manager")
    with app.test_request_context():
        stock.restock(item.id, 4, actor=db.session.get(User, manager.id), lot="L-1")
        db.session.remove()
    client = as_role("staff")
    url = f"/items/{item.id}"
    refused = client.post(url + "/restock", {"restock-quantity": "5", "restock-location_id": main.id})
    assert refused.status_code in (200, 302, 422), refused.status_code
    shown = refused.text if refused.status_code != 302 else client.get(url).text
    assert "Give the lot code" in shown
    assert _quantity(app, item.id) == 4
    taken = client.post(url + "/withdraw", {"withdraw-quantity": "3", "withdraw-location_id": main.id})
    assert taken.status_code == 302
    assert _quantity(app, item.id) == 1
    assert client.get(url).status_code == 200
