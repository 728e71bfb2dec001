"""Categories: item counts; create, rename, delete (managers)."""

from flask import Blueprint

from app.services import catalog
from app.web.catalog_views import attach

bp = Blueprint("categories", __name__, url_prefix="/categories")

attach(
    bp,
    noun="category",
    list_all=catalog.list_categories,
    get_one=catalog.get_category,
    create=catalog.create_category,
    update=catalog.update_category,
    delete=catalog.delete_category,
    with_address=False,
)
