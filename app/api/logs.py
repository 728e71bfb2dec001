"""/api/v1/logs: the stock ledger, filtered and paged (managers)."""

from app.api.blueprint import Blueprint
from app.permissions import Permission, require
from app.schemas.log import LogPageSchema, LogQuerySchema
from app.services import logs

bp = Blueprint("api_logs", __name__, url_prefix="/api/v1/logs", description="The stock ledger.")


@bp.get("")
@require(Permission.LOGS_READ_ALL)
@bp.arguments(LogQuerySchema, location="query")
@bp.response(200, LogPageSchema)
def list_logs(query: dict):
    """Every ledger entry, newest first, filtered by item, user, action and time."""
    return logs.list_logs(**query)
