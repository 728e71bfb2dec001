"""Locations: item counts; create, rename, delete (managers)."""

from flask import Blueprint

from app.services import catalog
from app.web.catalog_views import attach

bp = Blueprint("locations", __name__, url_prefix="/locations")

attach(
    bp,
    noun="location",
    list_all=catalog.list_locations,
    get_one=catalog.get_location,
    create=catalog.create_location,
    update=catalog.update_location,
    delete=catalog.delete_location,
    with_address=True,
)
