"""Inventory pages: the list, an item's page, create/edit/delete and stock movements."""

from flask import Blueprint

bp = Blueprint("items", __name__, url_prefix="/items")

from app.web.items import detail, editing, listing  # noqa: E402,F401  (routes attach to bp)
