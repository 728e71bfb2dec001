"""The item picker's choices (app/static/js/picker.js): at most 50 active items as JSON."""

from __future__ import annotations

from flask import jsonify, request

from app.limits import SEARCH_LENGTH
from app.permissions import Permission, require
from app.services import choices
from app.web.items.blueprint import bp


def choices_json(found: list[choices.Choice]):
    """The pickers' one answer shape (as /locations/options): [{"id", "label"}], at most 50."""
    return jsonify([{"id": c.id, "label": c.label} for c in found])


@bp.get("/options")
@require(Permission.CATALOG_READ)
def options():
    """Active items whose name or SKU holds every word of `q` (an exact barcode or SKU first); with
    `code`, the one item a scanned code names."""
    code = (request.args.get("code") or "")[:SEARCH_LENGTH].strip()
    if code:
        return choices_json([c for c in [choices.item_by_code(code)] if c is not None])
    return choices_json(choices.item_choices(request.args.get("q") or ""))
