"""A lot's label: a GS1 DataMatrix of GTIN, expiry and lot that reads back to the same lot,
from the content string and from the printed PDF (rasterised by pdftoppm, decoded by zxing-cpp)."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest

from app.errors import ValidationFailed
from app.services.scanning import gs1
from app.services.scanning.gs1 import GS1Data, InvalidGtin
from app.services.scanning.labels import Label, lot_label, render

pytestmark = pytest.mark.core


def _decode_pdf(pdf: bytes, dpi: int = 200) -> list:
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(tmp) / "page")], check=True)
        found = []
        for image_path in sorted(Path(tmp).glob("page-*.png")):
            with Image.open(image_path) as image:
                found += zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
        return found


def test_a_lot_labels_content_is_fnc1_then_01_17_10_and_parses_back_to_the_lot():
    label = lot_label("9506000134352", "AB-12", date(2027, 12, 31), title="Olive oil", detail="OIL-1")
    assert label.code == "010950600013435217271231" + "10AB-12"
    assert label.symbol == "gs1-datamatrix"
    assert gs1.parse("]d2" + label.code) == GS1Data("09506000134352", "AB-12", date(2027, 12, 31))


@pytest.mark.parametrize("layout", ["a4-3x8", "thermal-62x29", "letter-4x20"])
def test_a_printed_lot_label_scans_back_to_its_gtin_lot_and_expiry(app, layout):
    with app.app_context():
        labels = [
            lot_label("9506000134352", "AB-12", date(2027, 2, 28), title="Olive oil 1 l", detail="Lot AB-12"),
            lot_label("95012346", "L/7", None, title="Salt", detail="Lot L/7"),
            Label("https://stock.example/s/I7", "Plain item", "SKU-7"),
        ]
        pdf = render(labels, layout=layout)
    found = _decode_pdf(pdf, 300 if layout == "letter-4x20" else 200)
    matrices = sorted((code for code in found if code.format.name == "DataMatrix"), key=lambda code: code.text)
    assert [code.symbology_identifier for code in matrices] == ["]d2", "]d2"]  # GS1 DataMatrix: FNC1 first
    read = [gs1.parse(code.symbology_identifier + code.text) for code in matrices]
    assert read == [
        GS1Data("00000095012346", "L/7"),
        GS1Data("09506000134352", "AB-12", date(2027, 2, 28)),
    ]
    assert [code.text for code in found if code.format.name == "QRCode"] == ["https://stock.example/s/I7"]


def test_a_lot_label_refuses_a_bad_gtin_or_a_lot_a_gs1_code_cannot_carry():
    with pytest.raises(InvalidGtin):
        lot_label("9506000134353", "AB", None, title="x", detail="y")
    with pytest.raises(ValidationFailed) as caught:
        lot_label("9506000134352", "lot with spaces", None, title="x", detail="y")
    assert "lot" in caught.value.fields
