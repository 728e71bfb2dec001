"""/api/v1/alerts: list low-stock alerts and acknowledge one (managers)."""

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.permissions import Permission, require
from app.schemas.alert import AlertPageSchema, AlertQuerySchema, AlertSchema
from app.services import alerts

bp = Blueprint("api_alerts", __name__, url_prefix="/api/v1/alerts", description="Low-stock alerts.")


@bp.get("")
@require(Permission.ALERTS_READ)
@bp.arguments(AlertQuerySchema, location="query")
@bp.response(200, AlertPageSchema)
def list_alerts(query: dict):
    return alerts.list_alerts(**query)


@bp.patch("/<int:alert_id>/acknowledge")
@require(Permission.ALERTS_ACK)
@bp.response(200, AlertSchema)
def acknowledge(alert_id: int):
    return alerts.acknowledge(alert_id, actor=current_actor())
