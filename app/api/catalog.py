"""/api/v1/categories and /api/v1/locations: list, create, rename and delete (archive) them."""

from app.api.blueprint import Blueprint
from app.permissions import Permission, require
from app.schemas.catalog import CategoryInSchema, CategorySchema, LocationInSchema, LocationSchema
from app.schemas.item import ItemView
from app.services import catalog

categories = Blueprint("api_categories", __name__, url_prefix="/api/v1/categories", description="Item categories.")
locations = Blueprint("api_locations", __name__, url_prefix="/api/v1/locations", description="Places that hold stock.")


@categories.get("")
@require(Permission.CATALOG_READ)
@categories.response(200, CategorySchema(many=True))
def list_categories():
    return [ItemView(category, item_count=count) for category, count in catalog.list_categories()]


@categories.post("")
@require(Permission.CATALOG_WRITE)
@categories.arguments(CategoryInSchema)
@categories.response(201, CategorySchema)
def create_category(body: dict):
    return ItemView(catalog.create_category(body), item_count=0)


@categories.put("/<int:category_id>")
@require(Permission.CATALOG_WRITE)
@categories.arguments(CategoryInSchema)
@categories.response(200, CategorySchema)
def update_category(body: dict, category_id: int):
    category = catalog.update_category(category_id, body)
    return ItemView(category, item_count=catalog.category_item_count(category_id))


@categories.delete("/<int:category_id>")
@require(Permission.CATALOG_WRITE)
@categories.response(204)
def delete_category(category_id: int):
    """Delete a category; 409 saying how many active items it still holds."""
    catalog.delete_category(category_id)


@locations.get("")
@require(Permission.CATALOG_READ)
@locations.response(200, LocationSchema(many=True))
def list_locations():
    return [ItemView(location, item_count=count) for location, count in catalog.list_locations()]


@locations.post("")
@require(Permission.CATALOG_WRITE)
@locations.arguments(LocationInSchema)
@locations.response(201, LocationSchema)
def create_location(body: dict):
    return ItemView(catalog.create_location(body), item_count=0)


@locations.put("/<int:location_id>")
@require(Permission.CATALOG_WRITE)
@locations.arguments(LocationInSchema)
@locations.response(200, LocationSchema)
def update_location(body: dict, location_id: int):
    location = catalog.update_location(location_id, body)
    return ItemView(location, item_count=catalog.location_item_count(location_id))


@locations.delete("/<int:location_id>")
@require(Permission.CATALOG_WRITE)
@locations.response(204)
def delete_location(location_id: int):
    """Archive a location; 409 saying how many active items it still holds."""
    catalog.delete_location(location_id)
