"""Label sheets in every layout: rasterised by pdftoppm, every QR code decoded back by zxing-cpp,
each at the place on the sheet where its label belongs (skip and copies included)."""

from __future__ import annotations

import pytest

from app.services.scanning.labels import LAYOUTS, Label, qr_box, render
from tests.helpers.codes import page_count, read_pdf_codes

pytestmark = pytest.mark.core

# Modules are small on the 4x20 sheet (12.7 mm labels): read it finer.
DPI = {"letter-4x20": 300}


def _expected_place(layout, position: int) -> tuple[int, float, float]:
    """(page, x, y from the top) of the QR code's centre for the label printed at `position`."""
    page, place = divmod(position, layout.per_page)
    x, y = layout.origin(place)
    qx, qy, side = qr_box(layout)
    return page + 1, x + qx + side / 2, layout.page[1] - (y + qy + side / 2)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_code_decodes_at_its_place_in_every_layout(app, name):
    layout = LAYOUTS[name]
    many = layout.per_page > 1
    skip, copies = (2, 2) if many else (0, 2)
    count = layout.per_page // 2 + 1 if many else 2  # spills onto a second sheet
    with app.app_context():
        labels = [Label(f"https://stock.example/s/I{1000 + n}", f"Widget {n}", f"SKU-{n:04d}") for n in range(count)]
        pdf = render(labels, layout=name, skip=skip, copies=copies)
    expected = {}
    for n, label in enumerate(labels):
        for copy in range(copies):
            expected[_expected_place(layout, skip + n * copies + copy)] = label.code
    found = read_pdf_codes(pdf, DPI.get(name, 150))
    assert page_count(pdf) == max(page for page, _x, _y in expected)
    assert len(found) == len(expected), (name, len(found), len(expected))
    tolerance = min(layout.width, layout.height) / 4
    for place, text in expected.items():
        page, x, y = place
        near = [f for f in found if f.page == page and abs(f.x - x) < tolerance and abs(f.y - y) < tolerance]
        assert [f.text for f in near] == [text], (name, place, near)
        assert near[0].format == "QRCode"


def test_skip_and_copies_are_bounded(app):
    from app.errors import ValidationFailed

    with app.app_context():
        with pytest.raises(ValidationFailed) as skipped:
            render([Label("I1", "A", "B")], layout="a4-3x8", skip=24)
        assert skipped.value.fields == {"skip": ["At most 23."]}
        with pytest.raises(ValidationFailed) as copied:
            render([Label("I1", "A", "B")], copies=0)
        assert "copies" in copied.value.fields


def test_an_item_label_price_has_its_currency_sign(factory, ctx):
    from decimal import Decimal

    from app.money import format_money
    from app.services.scanning.labels import item_labels

    item = factory.item(price=Decimal("1234.5"), name="Priced")
    [label] = item_labels([item.id], with_price=True)
    assert label.price == format_money(Decimal("1234.5")) and label.price[0] not in "0123456789"


BIN_03 = "Walk Site / Zone A / Shelf 03 / Bin B2"
BIN_04 = "Walk Site / Zone A / Shelf 04 / Bin B2"
LONG = (
    " / ".join(
        ["Walk Site", "Building North East", "Zone Alpha Receiving", "Cold Room 2", "Aisle 17 Frozen Goods", "Rack 3"]
    )
    + " / Shelf 12 / Bin Z9"
)


def _pdf_words(pdf: bytes) -> list[tuple[str, float, float]]:
    """(word, xMin, xMax) of every word pdftotext finds, in points."""
    import re
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        html = subprocess.run(["pdftotext", "-bbox", handle.name, "-"], check=True, capture_output=True, text=True)
    pattern = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(text, float(x0), float(x1)) for x0, x1, text in re.findall(pattern, html.stdout)]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_location_labels_print_the_part_of_the_path_that_tells_bins_apart(app, name):
    assert len(LONG) >= 120
    layout = LAYOUTS[name]
    texts = {}
    with app.app_context():
        for path in (BIN_03, BIN_04, LONG):
            code = f"https://stock.example/s/L{len(texts) + 1}"
            pdf = render([Label(code, path.rsplit(" / ", 1)[1], path)], layout=name)
            words = _pdf_words(pdf)
            texts[path] = " ".join(word for word, _x0, _x1 in words)
            x, _y = layout.origin(0)
            # Every glyph inside its label: nothing drawn past the edge and cut off by the die.
            assert all(x <= x0 and x1 <= x + layout.width + 0.5 for _w, x0, x1 in words), (name, path, words)
            assert [f.text for f in read_pdf_codes(pdf, DPI.get(name, 150))] == [code]
    assert len(set(texts.values())) == 3, (name, texts)
    assert "Shelf 03 / Bin B2" in texts[BIN_03] and "Shelf 04 / Bin B2" in texts[BIN_04], (name, texts)
    assert "Shelf 12 / Bin Z9" in texts[LONG], (name, texts)
