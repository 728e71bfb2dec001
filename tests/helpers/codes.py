"""Reading printed codes back: a PDF rasterised by poppler's pdftoppm, decoded by zxing-cpp."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Found:
    page: int  # 1-based
    text: str
    x: float  # the code's centre, in PDF points from the page's left edge
    y: float  # ... and from the page's top edge
    format: str


def read_pdf_codes(pdf: bytes, dpi: int = 150) -> list[Found]:
    """Every code on every page, with where it was found."""
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(tmp) / "page")], check=True)
        found = []
        for number, image_path in enumerate(sorted(Path(tmp).glob("page-*.png")), start=1):
            with Image.open(image_path) as image:
                for code in zxingcpp.read_barcodes(image):
                    corners = [code.position.top_left, code.position.top_right]
                    corners += [code.position.bottom_left, code.position.bottom_right]
                    cx = sum(p.x for p in corners) / 4 * 72 / dpi
                    cy = sum(p.y for p in corners) / 4 * 72 / dpi
                    found.append(Found(number, code.text, cx, cy, code.format.name))
        return found


def page_count(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
