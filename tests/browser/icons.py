"""Regenerate the app's icons from app/static/icons/icon.svg (our own drawing) with Debian's
Chromium: PNGs for the web app manifest and home screens, and favicon.ico.

    .venv/bin/python tests/browser/icons.py
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "app" / "static" / "icons"

# name -> (size in px, maskable): a maskable icon fills its square and keeps the drawing inside
# the middle 80 % that every home-screen mask leaves visible.
PNGS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),
    "favicon-32.png": (32, False),
}

_PAGE = """<!doctype html><html><head><style>
html, body {{ margin: 0; background: transparent; }}
.bleed {{ width: {size}px; height: {size}px; background: #14213d; display: flex; align-items: center; justify-content: center; }}
svg {{ display: block; }}
</style></head><body>{body}</body></html>"""


def _markup(svg: str, size: int, maskable: bool) -> str:
    if not maskable:
        return _PAGE.format(size=size, body=svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1))
    inner = round(size * 0.8)
    return _PAGE.format(
        size=size,
        body=f'<div class="bleed">{svg.replace("<svg ", f"<svg width={inner!r} height={inner!r} ", 1)}</div>',
    )


def _ico(png: bytes, size: int) -> bytes:
    """An .ico file holding one PNG image (the format allows PNG data since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from launch import launch

    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as p:
        browser = launch(p)
        for name, (size, maskable) in PNGS.items():
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(_markup(svg, size, maskable))
            page.screenshot(path=str(ICONS / name), omit_background=not maskable)
            page.close()
            print(ICONS / name)
        browser.close()
    (ICONS / "favicon.ico").write_bytes(_ico((ICONS / "favicon-32.png").read_bytes(), 32))
    print(ICONS / "favicon.ico")


if __name__ == "__main__":
    main()
