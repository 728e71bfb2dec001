"""Low-stock alerts: listing and acknowledging."""

from __future__ import annotations

import sqlalchemy as sa

from app import events
from app.errors import Conflict
from app.models import Alert, User
from app.models.base import utcnow
from app.services.lookup import get_or_404, lock_or_404
from app.services.pagination import Page, paginate
from app.services.uow import unit_of_work


def list_alerts(
    *, page: int = 1, per_page: int = 50, acknowledged: bool | None = None, resolved: bool | None = None
) -> Page:
    """Alerts, newest first. Open (unresolved) alerts number exactly the items below their threshold."""
    conditions = []
    if resolved is True:
        conditions.append(Alert.resolved_at.is_not(None))
    elif resolved is False:
        conditions.append(Alert.resolved_at.is_(None))
    if acknowledged is True:
        conditions.append(Alert.acknowledged_at.is_not(None))
    elif acknowledged is False:
        conditions.append(Alert.acknowledged_at.is_(None))
    return paginate(
        sa.select(Alert).where(*conditions).order_by(Alert.created_at.desc(), Alert.id.desc()),
        sa.select(sa.func.count(Alert.id)).where(*conditions),
        page=page,
        per_page=per_page,
    )


def get_alert(alert_id: int) -> Alert:
    """Raises NotFound."""
    return get_or_404(Alert, alert_id)


def acknowledge(alert_id: int, *, actor: User) -> Alert:
    """Mark an alert as seen. Raises NotFound, Conflict (already acknowledged)."""
    with unit_of_work():
        alert = lock_or_404(Alert, alert_id)
        if alert.acknowledged_at is not None:
            raise Conflict("This alert was already acknowledged.", acknowledged_at=alert.acknowledged_at.isoformat())
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by_id = actor.id
        events.publish(
            "alert_acknowledged",
            {
                "alert_id": alert.id,
                "item_id": alert.item_id,
                "user_email": actor.email,
                "timestamp": alert.acknowledged_at.isoformat(),
            },
        )
    return alert
