"""Serves the front-end libraries that `make` installs from npm (never committed)."""

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("assets", __name__)

# Only these packages' folders are reachable, never the whole node_modules tree.
PUBLIC_PACKAGES = {
    "swagger-ui-dist": "",
    "htmx.org": "dist",
    "socket.io-client": "dist",
    "chart.js": "dist",
    "@picocss/pico": "css",
    "axe-core": "",  # accessibility checks, loaded by the browser tests only
    # The Scan page's BarcodeDetector polyfill and the ZXing WebAssembly reader it loads.
    "barcode-detector": "dist/iife",
    "zxing-wasm": "dist/reader",
}


@bp.get("/favicon.ico")
def favicon():
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links to."""
    return send_from_directory(Path(current_app.static_folder) / "icons", "favicon.ico", max_age=86400)


@bp.get("/vendor/<path:filename>")
def vendor(filename: str):
    for package, subdir in PUBLIC_PACKAGES.items():
        prefix = package + "/"
        if filename.startswith(prefix):
            root = Path(current_app.config["NODE_MODULES_DIR"]) / package / subdir
            return send_from_directory(root, filename[len(prefix) :], max_age=86400)
    abort(404)
