"""/api/v1/counts: stock counts (stocktakes and cycle counts), counting, review and approval."""

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.count import (
    ApproveSchema,
    CountCreateSchema,
    CountDetailSchema,
    CountLineInputSchema,
    CountPageSchema,
    CountQuerySchema,
    RecountSchema,
)
from app.services.counts import counting as counts
from app.services.counts import lookups as count_lookups
from app.services.counts import views as count_views

bp = Blueprint("api_counts", __name__, url_prefix="/api/v1/counts", description="Stock counts and their review.")


def _detail(count):
    return count_views.describe(count, current_actor())


@bp.get("")
@require(Permission.COUNTS_COUNT)
@bp.arguments(CountQuerySchema, location="query")
@bp.response(200, CountPageSchema)
def list_counts(query: dict):
    """Counts newest first, without their lines."""
    page = count_lookups.list_counts(**query)
    page.items = [count_views.describe(c, current_actor(), with_lines=False) for c in page.items]
    return page


@bp.post("")
@require(Permission.COUNTS_MANAGE)
@bp.arguments(CountCreateSchema)
@bp.response(201, CountDetailSchema)
def open_count(body: dict):
    """Open a count of a location's subtree (narrowed to a category or items); 409 when an active count overlaps."""
    return _detail(counts.open_count(actor=current_actor(), **body))


@bp.get("/<int:count_id>")
@require(Permission.COUNTS_COUNT)
@bp.response(200, CountDetailSchema)
def get_count(count_id: int):
    """A count with its lines; in a blind count staff get no `expected` or `variance`."""
    return _detail(counts.get_count(count_id))


@bp.put("/<int:count_id>/lines")
@require(Permission.COUNTS_COUNT)
@bp.arguments(CountLineInputSchema)
@bp.response(200, CountDetailSchema)
def record_line(body: dict, count_id: int):
    """Record what was found; a line already counted needs `mode` (409 `already_counted` without)."""
    counts.record_line(count_id, actor=current_actor(), **body)
    return _detail(counts.get_count(count_id))


@bp.post("/<int:count_id>/submit")
@require(Permission.COUNTS_COUNT)
@bp.response(200, CountDetailSchema)
def submit(count_id: int):
    """Hand an open count to the managers for review."""
    return _detail(counts.submit(count_id, actor=current_actor()))


@bp.post("/<int:count_id>/recount")
@require(Permission.COUNTS_MANAGE)
@bp.arguments(RecountSchema)
@bp.response(200, CountDetailSchema)
def recount(body: dict, count_id: int):
    """Send lines back to be counted again; the count is open again."""
    return _detail(counts.recount(count_id, body["line_ids"], actor=current_actor()))


@bp.post("/<int:count_id>/approve")
@require(Permission.COUNTS_MANAGE)
@bp.arguments(ApproveSchema, required=False)
@bp.response(200, CountDetailSchema)
def approve(body: dict, count_id: int):
    """Apply every variance as an adjust movement in one transaction; a second approval is a 409."""
    return _detail(counts.approve(count_id, actor=current_actor(), zero_uncounted=body.get("zero_uncounted", False)))


@bp.post("/<int:count_id>/cancel")
@require(Permission.COUNTS_MANAGE)
@bp.response(200, CountDetailSchema)
def cancel(count_id: int):
    """Drop an open or submitted count; nothing moves."""
    return _detail(counts.cancel(count_id, actor=current_actor()))
