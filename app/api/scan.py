from flask_smorest import Blueprint

from app.permissions import Permission, require
from app.schemas.scan import ScanQuerySchema, ScanResultSchema
from app.services import scan

bp = Blueprint("api_scan", __name__, url_prefix="/api/v1/scan", description="What a scanned code names.")


def blueprints() -> list[Blueprint]:
    return [bp]


@bp.get("")
@require(Permission.ITEMS_READ)
@bp.arguments(ScanQuerySchema, location="query")
@bp.response(200, ScanResultSchema)
def resolve(query: dict):
    """Resolve our link (…/s/I12), a short code (I12, L7), an SKU or a barcode; 404 `unknown_code`."""
    found = scan.resolve(query["code"])
    return {"type": found.type, "id": found.id, found.type: found.summary}
