"""/api/v1/dashboard: the dashboard's figures (totals, value, low-stock count, category breakdown)."""

from app.api.blueprint import Blueprint
from app.permissions import Permission, require
from app.schemas.dashboard import CategoryBreakdownSchema, SummaryQuerySchema, SummarySchema
from app.services import dashboard

bp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1/dashboard", description="Figures for the dashboard.")


@bp.get("/summary")
@require(Permission.DASHBOARD_READ)
@bp.arguments(SummaryQuerySchema, location="query")
@bp.response(200, SummarySchema)
def summary(query: dict):
    """Headline figures; `site_id` narrows them to one location's subtree (a site)."""
    return dashboard.summary(site_id=query.get("site_id"))


@bp.get("/category-breakdown")
@require(Permission.DASHBOARD_READ)
@bp.response(200, CategoryBreakdownSchema(many=True))
def category_breakdown():
    return dashboard.category_breakdown()
