"""Label PDFs for items and locations: thin routes over app/services/scanning/labels.py."""

from flask import Response

from app.api.blueprint import Blueprint
from app.permissions import Permission, require
from app.schemas.labels import ItemLabelQuerySchema, LocationLabelQuerySchema
from app.services.scanning import labels

bp = Blueprint("api_labels", __name__, url_prefix="/api/v1/labels", description="Printable labels (PDF).")

PDF = {"200": {"description": "The labels, as a PDF.", "content": {"application/pdf": {}}}}


@bp.get("/items.pdf")
@require(Permission.ITEMS_READ)
@bp.arguments(ItemLabelQuerySchema, location="query")
@bp.doc(responses=PDF)
def item_labels(query: dict):
    """Labels for the chosen items (`ids`) or for everything the list's filters match."""
    layout, skip, copies = query.pop("layout"), query.pop("skip"), query.pop("copies")
    chosen = labels.item_labels(query.pop("ids", None), with_price=query.pop("price"), **query)
    return _pdf(labels.render(chosen, layout=layout, skip=skip, copies=copies), "item-labels.pdf")


@bp.get("/locations.pdf")
@require(Permission.CATALOG_READ)
@bp.arguments(LocationLabelQuerySchema, location="query")
@bp.doc(responses=PDF)
def location_labels(query: dict):
    """Labels for locations; with `subtree=true`, each one followed by everything inside it."""
    chosen = labels.location_labels(query["ids"], subtree=query["subtree"])
    pdf = labels.render(chosen, layout=query["layout"], skip=query["skip"], copies=query["copies"])
    return _pdf(pdf, "location-labels.pdf")


def _pdf(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
