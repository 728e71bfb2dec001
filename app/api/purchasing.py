"""/api/v1/suppliers, /api/v1/items/{id}/suppliers, /api/v1/purchase-orders, /api/v1/purchasing:
buying and receiving (thin routes over app/services/purchasing/suppliers.py, purchasing.py, reorder.py)."""

from flask import Response

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.purchasing import (
    FromSuggestionsSchema,
    OfferCreateSchema,
    OfferPatchSchema,
    OfferSchema,
    OrderCreateSchema,
    OrderDetailSchema,
    OrderPageSchema,
    OrderPatchSchema,
    OrderQuerySchema,
    ReceiveSchema,
    SuggestionQuerySchema,
    SuggestionsSchema,
    SupplierCreateSchema,
    SupplierPatchSchema,
    SupplierQuerySchema,
    SupplierSchema,
)
from app.services.purchasing import order_pdf, reorder, suppliers
from app.services.purchasing import orders as purchasing

suppliers_bp = Blueprint("api_suppliers", __name__, url_prefix="/api/v1/suppliers", description="Suppliers.")
offers_bp = Blueprint(
    "api_offers", __name__, url_prefix="/api/v1/items", description="What each supplier sells an item as."
)
orders_bp = Blueprint(
    "api_purchase_orders", __name__, url_prefix="/api/v1/purchase-orders", description="Purchase orders and receiving."
)
suggestions_bp = Blueprint(
    "api_purchasing", __name__, url_prefix="/api/v1/purchasing", description="Reorder suggestions."
)

PDF = {"200": {"description": "The order, as a PDF.", "content": {"application/pdf": {}}}}


@suppliers_bp.get("")
@require(Permission.PURCHASING_READ)
@suppliers_bp.arguments(SupplierQuerySchema, location="query")
@suppliers_bp.response(200, SupplierSchema(many=True))
def list_suppliers(query: dict):
    """Suppliers by name."""
    return suppliers.list_suppliers(query.get("search"))


@suppliers_bp.post("")
@require(Permission.PURCHASING_MANAGE)
@suppliers_bp.arguments(SupplierCreateSchema)
@suppliers_bp.response(201, SupplierSchema)
def create_supplier(body: dict):
    """Add a supplier (names are unique, in any letter case)."""
    return suppliers.create_supplier(body)


@suppliers_bp.get("/<int:supplier_id>")
@require(Permission.PURCHASING_READ)
@suppliers_bp.response(200, SupplierSchema)
def get_supplier(supplier_id: int):
    return suppliers.get_supplier(supplier_id)


@suppliers_bp.patch("/<int:supplier_id>")
@require(Permission.PURCHASING_MANAGE)
@suppliers_bp.arguments(SupplierPatchSchema)
@suppliers_bp.response(200, SupplierSchema)
def update_supplier(body: dict, supplier_id: int):
    return suppliers.update_supplier(supplier_id, body)


@suppliers_bp.delete("/<int:supplier_id>")
@require(Permission.PURCHASING_MANAGE)
@suppliers_bp.response(204)
def delete_supplier(supplier_id: int):
    """Remove a supplier and its offers; 409 when it has purchase orders."""
    suppliers.delete_supplier(supplier_id)


@offers_bp.get("/<int:item_id>/suppliers")
@require(Permission.PURCHASING_READ)
@offers_bp.response(200, OfferSchema(many=True))
def list_offers(item_id: int):
    """An item's supplier offers, the preferred one first."""
    return suppliers.list_offers(item_id)


@offers_bp.post("/<int:item_id>/suppliers")
@require(Permission.PURCHASING_MANAGE)
@offers_bp.arguments(OfferCreateSchema)
@offers_bp.response(201, OfferSchema)
def add_offer(body: dict, item_id: int):
    """Add a supplier's offer; the item's first offer is preferred, and `preferred: true` moves the mark."""
    return suppliers.add_offer(item_id, body)


@offers_bp.patch("/<int:item_id>/suppliers/<int:supplier_id>")
@require(Permission.PURCHASING_MANAGE)
@offers_bp.arguments(OfferPatchSchema)
@offers_bp.response(200, OfferSchema)
def update_offer(body: dict, item_id: int, supplier_id: int):
    return suppliers.update_offer(item_id, supplier_id, body)


@offers_bp.delete("/<int:item_id>/suppliers/<int:supplier_id>")
@require(Permission.PURCHASING_MANAGE)
@offers_bp.response(204)
def delete_offer(item_id: int, supplier_id: int):
    suppliers.delete_offer(item_id, supplier_id)


@orders_bp.get("")
@require(Permission.PURCHASING_READ)
@orders_bp.arguments(OrderQuerySchema, location="query")
@orders_bp.response(200, OrderPageSchema)
def list_orders(query: dict):
    """Purchase orders newest first; filter by `state` and `supplier_id`."""
    return purchasing.list_orders(**query)


@orders_bp.post("")
@require(Permission.PURCHASING_MANAGE)
@orders_bp.arguments(OrderCreateSchema)
@orders_bp.response(201, OrderDetailSchema)
def create_order(body: dict):
    """A draft order; a line's `unit_price` defaults to the supplier's offer (else the item's price)."""
    return purchasing.create_order(body, actor=current_actor())


@orders_bp.post("/from-suggestions")
@require(Permission.PURCHASING_MANAGE)
@orders_bp.arguments(FromSuggestionsSchema, required=False)
@orders_bp.response(201, OrderDetailSchema(many=True))
def from_suggestions(body: dict):
    """One draft per preferred supplier from the current suggestions (all, or `item_ids`)."""
    return purchasing.from_suggestions(body.get("item_ids"), actor=current_actor())


@orders_bp.get("/<int:order_id>")
@require(Permission.PURCHASING_READ)
@orders_bp.response(200, OrderDetailSchema)
def get_order(order_id: int):
    return purchasing.get_order(order_id)


@orders_bp.patch("/<int:order_id>")
@require(Permission.PURCHASING_MANAGE)
@orders_bp.arguments(OrderPatchSchema)
@orders_bp.response(200, OrderDetailSchema)
def update_order(body: dict, order_id: int):
    """Edit a draft (`lines` replaces them all); 409 once sent, except `allow_over_receipt`."""
    return purchasing.update_order(order_id, body, actor=current_actor())


@orders_bp.post("/<int:order_id>/send")
@require(Permission.PURCHASING_MANAGE)
@orders_bp.response(200, OrderDetailSchema)
def send_order(order_id: int):
    """Send a draft: the supplier gets the PDF by email (once); its quantities count as on order."""
    return purchasing.send(order_id, actor=current_actor())


@orders_bp.post("/<int:order_id>/cancel")
@require(Permission.PURCHASING_MANAGE)
@orders_bp.response(200, OrderDetailSchema)
def cancel_order(order_id: int):
    """Cancel an order that is not fully received; what remains is no longer on order."""
    return purchasing.cancel(order_id, actor=current_actor())


@orders_bp.post("/<int:order_id>/receive")
@require(Permission.PURCHASING_RECEIVE)
@orders_bp.arguments(ReceiveSchema)
@orders_bp.response(200, OrderDetailSchema)
def receive_order(body: dict, order_id: int):
    """Book what arrived into bins; 409 naming the line and what remains when more than ordered arrives."""
    return purchasing.receive(order_id, body["lines"], actor=current_actor())


@orders_bp.get("/<int:order_id>.pdf")
@require(Permission.PURCHASING_READ)
@orders_bp.doc(responses=PDF)
def order_document(order_id: int):
    """The order as the supplier receives it."""
    order = purchasing.get_order(order_id)
    response = Response(order_pdf.order_pdf(order), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="purchase-order-{order.id}.pdf"'
    return response


@suggestions_bp.get("/suggestions")
@require(Permission.PURCHASING_MANAGE)
@suggestions_bp.arguments(SuggestionQuerySchema, location="query")
@suggestions_bp.response(200, SuggestionsSchema)
def list_suggestions(query: dict):
    """Items at or below their reorder point (on hand + on order), grouped by preferred supplier."""
    return {"groups": reorder.suggestions(**query)}
