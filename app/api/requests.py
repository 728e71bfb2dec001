"""/api/v1/requests: stock requests, their approval queue, and the decisions (approve moves the stock)."""

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.request import CancelSchema, RejectSchema, RequestDetailSchema, RequestPageSchema, RequestQuerySchema
from app.services.requests import workflow as requests

bp = Blueprint(
    "api_requests", __name__, url_prefix="/api/v1/requests", description="Stock requests and their approval."
)


@bp.get("")
@require(Permission.REQUESTS_SUBMIT)
@bp.arguments(RequestQuerySchema, location="query")
@bp.response(200, RequestPageSchema)
def list_requests(query: dict):
    """Requests newest first (`order=asc` for oldest first); staff see their own, managers everyone's."""
    return requests.list_requests(current_actor(), **query)


@bp.get("/<int:request_id>")
@require(Permission.REQUESTS_SUBMIT)
@bp.response(200, RequestDetailSchema)
def get_request(request_id: int):
    """A request with its lines (and what each source holds now) and its history."""
    return requests.describe(requests.get_request(request_id, viewer=current_actor()))


@bp.post("/<int:request_id>/approve")
@require(Permission.REQUESTS_DECIDE)
@bp.response(200, RequestDetailSchema)
def approve(request_id: int):
    """Move every line's stock in one transaction; 409 naming every short line (`error.shortages`) moves nothing."""
    return requests.describe(requests.approve(request_id, actor=current_actor()))


@bp.post("/<int:request_id>/reject")
@require(Permission.REQUESTS_DECIDE)
@bp.arguments(RejectSchema)
@bp.response(200, RequestDetailSchema)
def reject(body: dict, request_id: int):
    """Refuse a submitted request, with a reason; nothing moves."""
    return requests.describe(requests.reject(request_id, actor=current_actor(), reason=body["reason"]))


@bp.post("/<int:request_id>/cancel")
@require(Permission.REQUESTS_SUBMIT)
@bp.arguments(CancelSchema, required=False)
@bp.response(200, RequestDetailSchema)
def cancel(body: dict, request_id: int):
    """The author withdraws a request that is still submitted."""
    return requests.describe(requests.cancel(request_id, actor=current_actor(), note=body.get("note")))


@bp.post("/<int:request_id>/fulfil")
@require(Permission.REQUESTS_SUBMIT)
@bp.arguments(CancelSchema, required=False)
@bp.response(200, RequestDetailSchema)
def fulfil(body: dict, request_id: int):
    """Record that an approved request's goods were handed over (author or manager); stock does not change."""
    return requests.describe(requests.fulfil(request_id, actor=current_actor(), note=body.get("note")))
