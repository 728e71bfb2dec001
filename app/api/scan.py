"""What a scanned code names, and scanned batches applied at once (app/services/scanning/codes.py, scan_batches.py)."""

from flask import jsonify, request

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.scan import ScanBatchResultSchema, ScanBatchSchema, ScanQuerySchema, ScanResultSchema
from app.services import idempotency
from app.services.idempotency import IdempotencyKey
from app.services.scanning import batches as scan_batches
from app.services.scanning import codes as scan

bp = Blueprint(
    "api_scan", __name__, url_prefix="/api/v1/scan", description="What a scanned code names; scanned batches."
)

BATCH_RESULT = ScanBatchResultSchema()
IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "schema": {"type": "string", "maxLength": 255},
            "description": "Retrying with the same key returns the first answer instead of moving stock twice.",
        }
    ]
}


@bp.get("")
@require(Permission.ITEMS_READ)
@bp.arguments(ScanQuerySchema, location="query")
@bp.response(200, ScanResultSchema)
def resolve(query: dict):
    """Resolve our link (…/s/I12), a short code (I12, L7), an SKU, a barcode or a GS1 element string.

    404 `unknown_code`; 422 `invalid_gtin` (a GTIN's check digit is wrong) or `invalid_gs1`.
    """
    found = scan.resolve(query["code"])
    answer = {"type": found.type, "id": found.id, found.type: found.summary}
    if found.gs1 is not None:
        answer["gs1"] = found.gs1.as_dict()
    return answer


@bp.post("/batches")
@require(Permission.STOCK_MOVE)
@bp.arguments(ScanBatchSchema)
@bp.response(200, ScanBatchResultSchema)
@bp.doc(**IDEMPOTENCY_DOC)
def submit_batch(body: dict):
    """Restock, withdraw, move or count every scanned line at once: all or none (409 names each short line)."""
    actor = current_actor()
    key = IdempotencyKey.from_request(request.headers.get("Idempotency-Key"), request.method, request.path, body)
    mode, lines = body.pop("mode"), body.pop("lines")
    answer = idempotency.run_once(
        actor.id, key, lambda: scan_batches.submit(mode, lines, actor=actor, **body), BATCH_RESULT.dump
    )
    response = jsonify(answer.body)
    response.status_code = answer.status_code
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
