"""The staff pages for lots and serials (issue 27): a tracked item's movement forms, its lots and
serials, and a lot's recall page (trace, block, CSV, label). What the person sees, on PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.helpers.api import db_scalar


def _quantity(app, item_id):
    from app.models import Item

    return db_scalar(app, sa.select(Item.quantity).where(Item.id == item_id))


def _lot_quantity(app, lot_id):
    from app.models import LotLevel

    return db_scalar(
        app, sa.select(sa.func.coalesce(sa.func.sum(LotLevel.quantity), 0)).where(LotLevel.lot_id == lot_id)
    )


def _lot_item(app, factory, location, lots, **fields):
    """A lot item at `location` with lots [(code, quantity, expires_on)]; their ids by code."""
    from app.extensions import db
    from app.models import User
    from app.services import stock

    item = factory.item(tracking="lot", location=location, **fields)
    manager = factory.user("manager")
    ids = {}
    with app.test_request_context():
        actor = db.session.get(User, manager.id)
        for code, quantity, expires in lots:
            ids[code] = stock.restock(item.id, quantity, actor=actor, lot=code, expires_on=expires).lots[0]["lot_id"]
        db.session.remove()
    return item, ids


def _selected(html: str, select_id: str) -> str | None:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    chosen = re.search(r"<option([^>]*)selected([^>]*)>", select)
    if chosen is None:
        return None
    return re.search(r'value="([^"]*)"', chosen.group(0)).group(1)


def test_an_untracked_items_forms_have_no_lot_or_serial_fields(as_role, factory):
    item = factory.item(quantity=5)
    html = as_role("manager").get(f"/items/{item.id}").text
    for name in ("lot", "expires_on", "serials"):
        for form in ("restock", "withdraw", "transfer", "adjust"):
            assert f'name="{form}-{name}"' not in html
    assert 'name="restock-quantity"' in html and 'name="adjust-counted_quantity"' in html
    assert 'id="lots-heading"' not in html and 'id="serials-heading"' not in html


def test_a_lot_items_restock_asks_lot_and_expiry_and_refuses_without_lot_next_to_the_field(app, as_role, factory):
    main = factory.location("Main")
    item = factory.item(tracking="lot", location=main)
    client = as_role("staff")
    url = f"/items/{item.id}"
    page = client.get(url).text
    assert 'name="restock-lot"' in page and 'name="restock-expires_on"' in page
    refused = client.post(url + "/restock", {"restock-quantity": "5", "restock-location_id": main.id})
    assert refused.status_code == 422
    assert re.search(r'id="restock-lot-error">[^<]*Give the lot code', refused.text)
    assert _quantity(app, item.id) == 0
    done = client.post(
        url + "/restock",
        {
            "restock-quantity": "5",
            "restock-location_id": main.id,
            "restock-lot": "A-1",
            "restock-expires_on": "2031-05-01",
        },
        follow_redirects=True,
    )
    assert "Restocked 5 pcs. Lots: A-1 (5)." in done.text
    assert _quantity(app, item.id) == 5
    assert "2031-05-01" in done.text  # the lots table


def test_withdraw_offers_the_lots_with_fefo_preselected_and_fefo_sends_no_lot(app, as_role, factory):
    main = factory.location("Main")
    soon, later = date.today() + timedelta(days=200), date.today() + timedelta(days=400)
    item, ids = _lot_item(app, factory, main, [("LATE", 5, later), ("EARLY", 3, soon)])
    client = as_role("staff")
    url = f"/items/{item.id}"
    page = client.get(url).text
    assert _selected(page, "withdraw-lot") in ("", None)  # FEFO is the first choice, chosen
    assert "FEFO: first to expire — now EARLY" in page
    assert f"EARLY · expires {soon.isoformat()}" in page
    done = client.post(
        url + "/withdraw",
        {"withdraw-quantity": "4", "withdraw-location_id": main.id, "withdraw-lot": ""},
        follow_redirects=True,
    )
    assert "Withdrew 4 pcs. Lots: EARLY (3), LATE (1)." in done.text
    assert (_lot_quantity(app, ids["EARLY"]), _lot_quantity(app, ids["LATE"])) == (0, 4)
    named = client.post(
        url + "/transfer",
        {
            "transfer-quantity": "1",
            "transfer-from_location_id": main.id,
            "transfer-to_location_id": factory.location("Back").id,
            "transfer-lot": "LATE",
        },
        follow_redirects=True,
    )
    assert "Transferred 1 pcs. Lots: LATE (1)." in named.text


def test_a_blocked_lot_or_only_expired_stock_is_refused_next_to_the_field_and_nothing_changes(app, as_role, factory):
    from app.extensions import db
    from app.models import LotStatus, User
    from app.services import traceability

    main = factory.location("Main")
    item, ids = _lot_item(app, factory, main, [("OLD", 2, date.today() - timedelta(days=3)), ("BAD", 2, None)])
    with app.test_request_context():
        user = db.session.get(User, factory.user("manager").id)
        traceability.update_lot(ids["BAD"], {"status": LotStatus.BLOCKED}, actor=user)
        db.session.remove()
    client = as_role("staff")
    url = f"/items/{item.id}"
    page = client.get(url).text
    assert re.search(r'class="lot-expired"[^>]*>|class="[^"]*lot-expired', page) and "lot-blocked" in page
    blocked = client.post(
        url + "/withdraw", {"withdraw-quantity": "1", "withdraw-location_id": main.id, "withdraw-lot": "BAD"}
    )
    assert blocked.status_code == 409
    assert re.search(r'id="withdraw-lot-error">[^<]*blocked', blocked.text)
    expired = client.post(url + "/withdraw", {"withdraw-quantity": "1", "withdraw-location_id": main.id})
    assert expired.status_code == 409
    assert 'id="withdraw-quantity-error"' in expired.text and "expired" in expired.text.lower()
    assert _quantity(app, item.id) == 4


def test_lots_expiring_within_the_warning_window_are_highlighted(app, as_role, factory):
    main = factory.location("Main")
    item, ids = _lot_item(
        app,
        factory,
        main,
        [("SOON", 1, date.today() + timedelta(days=10)), ("FAR", 1, date.today() + timedelta(days=90))],
    )
    html = as_role("staff").get(f"/items/{item.id}").text
    soon_row = re.search(rf'<tr data-lot-id="{ids["SOON"]}"[^>]*>', html).group(0)
    far_row = re.search(rf'<tr data-lot-id="{ids["FAR"]}"[^>]*>', html).group(0)
    assert "lot-expiring" in soon_row and "lot-expiring" not in far_row
    assert "Expiring soon" in html


def test_serial_items_take_serials_one_per_line_and_list_them_paged(app, as_role, factory):
    main = factory.location("Main")
    item = factory.item(tracking="serial", location=main)
    client = as_role("manager")
    url = f"/items/{item.id}"
    page = client.get(url).text
    assert 'name="restock-serials"' in page and 'name="restock-quantity"' not in page
    serials = "\n".join(f"SN-{n:03d}" for n in range(60))
    done = client.post(
        url + "/restock", {"restock-serials": serials, "restock-location_id": main.id}, follow_redirects=True
    )
    assert "Restocked 60 pcs." in done.text
    assert "Serials in stock" in done.text and "SN-000" in done.text and "SN-055" not in done.text
    assert "SN-055" in client.get(url + "?serials_page=2").text
    again = client.post(url + "/restock", {"restock-serials": "SN-001", "restock-location_id": main.id})
    assert again.status_code == 409 and re.search(
        r'id="restock-serials-error">[^<]*SN-001 is already in stock', again.text
    )
    away = client.post(url + "/withdraw", {"withdraw-serials": "NOPE-1", "withdraw-location_id": main.id})
    assert away.status_code == 409 and 'id="withdraw-serials-error"' in away.text
    taken = client.post(
        url + "/withdraw",
        {"withdraw-serials": "SN-001\nSN-002", "withdraw-location_id": main.id},
        follow_redirects=True,
    )
    assert "Withdrew 2 pcs. Serials: SN-001, SN-002." in taken.text
    assert _quantity(app, item.id) == 58


def test_the_recall_page_shows_the_trace_and_a_manager_blocks_the_lot(app, as_role, factory):
    main = factory.location("Main")
    item, ids = _lot_item(app, factory, main, [("R-1", 6, date(2031, 1, 31))])
    staff = as_role("staff")
    staff.post(
        f"/items/{item.id}/withdraw",
        {"withdraw-quantity": "2", "withdraw-location_id": main.id, "withdraw-note": "to shop"},
    )
    url = f"/lots/{ids['R-1']}"
    page = staff.get(url).text
    assert 'Lot <span class="mono">R-1</span>' in page and "2031-01-31" in page
    assert "to shop" in page and 'data-field="lot-quantity">4<' in page
    assert "Block lot" not in page  # staff may not
    rows = list(csv.reader(io.StringIO(staff.get(url + "/trace.csv").text)))
    assert rows[0][:3] == ["at", "action", "user"]
    assert [r[1] for r in rows[1:]] == ["restock", "withdraw"] and rows[2][4] == "-2"
    assert staff.post(url + "/block").status_code == 403
    manager = as_role("manager")
    assert "Yes, block lot R-1" in manager.get(url).text
    blocked = manager.post(url + "/block", follow_redirects=True)
    assert "Lot R-1 is blocked" in blocked.text and 'data-field="lot-status">Blocked' in blocked.text
    refused = staff.post(f"/items/{item.id}/withdraw", {"withdraw-quantity": "1", "withdraw-location_id": main.id})
    assert refused.status_code == 409 and _quantity(app, item.id) == 4
    no_token = manager.post(url + "/block", csrf=False)
    assert no_token.status_code in (302, 400)


def test_print_label_gives_the_lots_gs1_pdf_when_the_item_has_a_gtin(app, as_role, factory):
    from app.extensions import db
    from app.models import User
    from app.services import items

    main = factory.location("Main")
    item, ids = _lot_item(app, factory, main, [("P-1", 1, date(2030, 6, 30))])
    client = as_role("staff")
    none_yet = client.get(f"/lots/{ids['P-1']}/label.pdf", follow_redirects=True)
    assert "no GTIN barcode" in none_yet.text
    with app.test_request_context():
        user = db.session.get(User, factory.user("manager").id)
        found = items.get_item(item.id)
        items.update_item(
            item.id, {"barcodes": ["9506000134352"]}, actor=user, expected_version=found.version, partial=True
        )
        db.session.remove()
    pdf = client.get(f"/lots/{ids['P-1']}/label.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
