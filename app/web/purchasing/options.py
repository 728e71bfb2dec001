"""The supplier picker's choices (app/static/js/picker.js): at most 50 suppliers as JSON."""

from __future__ import annotations

from flask import request

from app.limits import SEARCH_LENGTH
from app.permissions import Permission, require
from app.services import choices
from app.web.items.options import choices_json
from app.web.purchasing.blueprint import bp


@bp.get("/suppliers/options")
@require(Permission.PURCHASING_READ)
def supplier_options():
    """Suppliers whose name holds every word of `q`; with `code`, the one named exactly so."""
    code = (request.args.get("code") or "")[:SEARCH_LENGTH].strip()
    if code:
        return choices_json([c for c in [choices.supplier_by_code(code)] if c is not None])
    return choices_json(choices.supplier_choices(request.args.get("q") or ""))
