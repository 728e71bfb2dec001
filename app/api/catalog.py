"""/api/v1/categories and /api/v1/locations: list, create, rename and delete (archive) them."""

from app.api.blueprint import Blueprint
from app.permissions import Permission, require
from app.schemas.catalog import (
    CategoryInSchema,
    CategorySchema,
    LocationDetailSchema,
    LocationInSchema,
    LocationPatchSchema,
    LocationQuerySchema,
    LocationSchema,
)
from app.schemas.item import ItemView
from app.services import catalog
from app.services import locations as loc_service

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
    """Delete a category; 409 (in_use) while it holds active items or is the scope of a stock count."""
    catalog.delete_category(category_id)


@locations.get("")
@require(Permission.CATALOG_READ)
@locations.arguments(LocationQuerySchema, location="query")
@locations.response(200, LocationSchema(many=True))
def list_locations(query: dict):
    """Live locations in path order; `parent_id` gives one location's children (`null`: the roots)."""
    rows = loc_service.list_locations(
        parent_id=query.get("parent_id"),
        roots_only="parent_id" in query and query["parent_id"] is None,
        search=query.get("search"),
    )
    return [ItemView(location, item_count=count) for location, count in rows]


@locations.get("/<int:location_id>")
@require(Permission.CATALOG_READ)
@locations.response(200, LocationDetailSchema)
def get_location(location_id: int):
    """A location with its children, its ancestors and the totals of its whole subtree."""
    return _location_detail(loc_service.get_location(location_id))


@locations.post("")
@require(Permission.CATALOG_WRITE)
@locations.arguments(LocationInSchema)
@locations.response(201, LocationDetailSchema)
def create_location(body: dict):
    """Create a location (under `parent_id`, or as a root)."""
    return _location_detail(loc_service.create_location(body))


@locations.put("/<int:location_id>")
@require(Permission.CATALOG_WRITE)
@locations.arguments(LocationInSchema)
@locations.response(200, LocationDetailSchema)
def update_location(body: dict, location_id: int):
    """Edit a location; a new `parent_id` moves its whole subtree (422 for a move under itself)."""
    return _location_detail(loc_service.update_location(location_id, body))


@locations.patch("/<int:location_id>")
@require(Permission.CATALOG_WRITE)
@locations.arguments(LocationPatchSchema)
@locations.response(200, LocationDetailSchema)
def patch_location(body: dict, location_id: int):
    """Change some fields of a location; `parent_id` moves it with its subtree."""
    return _location_detail(loc_service.update_location(location_id, body))


@locations.delete("/<int:location_id>")
@require(Permission.CATALOG_WRITE)
@locations.response(204)
def delete_location(location_id: int):
    """Archive a location; 409 saying whether it still has sub-locations or holds items."""
    loc_service.delete_location(location_id)


def _location_detail(location) -> ItemView:
    return ItemView(
        location,
        item_count=loc_service.location_item_count(location.id),
        children=loc_service.children(location.id),
        ancestors=loc_service.ancestors(location),
        totals=loc_service.subtree_totals(location),
    )
